// Resource Groups Tagging API GetResources over the fake's tasks (all statuses: tagging knows nothing of task state).
import { AwsError, optInt, optString, optStringList } from "./protocol.ts";
import type { TokenBook } from "./tokens.ts";
import type { FakeTask } from "./tasks.ts";

export interface TaggingState {
  tasks: FakeTask[];
  pageSize?: number;
  tokens: TokenBook;
  /** Hand back the token the request presented (a looping listing). */
  repeatToken?: boolean;
  /** Each listing starts with this many empty pages that carry a token, as AWS documents it may. */
  emptyPages?: number;
  /** Pages of this size whatever ResourcesPerPage asks. */
  forcePageSize?: number;
}

interface TagFilter {
  Key: string;
  Values?: string[];
}

export interface GetResourcesOutput {
  ResourceTagMappingList: { ResourceARN: string; Tags: { Key: string; Value: string }[] }[];
  PaginationToken: string;
}

export function getResources(input: Record<string, unknown>, st: TaggingState): GetResourcesOutput {
  const filters = tagFilters(input.TagFilters);
  const types = optStringList(input, "ResourceTypeFilters");
  const arns = optStringList(input, "ResourceARNList");
  if (arns && (filters.length > 0 || types)) {
    throw new AwsError("InvalidParameterException", "You can't specify both ResourceARNList and TagFilters or ResourceTypeFilters.");
  }
  const perPage = optInt(input, "ResourcesPerPage");
  if (perPage !== undefined && (perPage < 1 || perPage > 100)) {
    throw new AwsError("InvalidParameterException", "ResourcesPerPage must be between 1 and 100.");
  }
  const token = optString(input, "PaginationToken") ?? "";
  const listing = token === "" ? { offset: 0, empties: 0 } : st.tokens.entry("GetResources", token);
  if (!listing && st.tokens.forgotten(token)) throw new AwsError("PaginationTokenExpiredException", "A PaginationToken is valid for a maximum of 15 minutes. Your request was denied because the specified PaginationToken has expired.");
  if (!listing) throw new AwsError("InvalidParameterException", "The specified PaginationToken is not valid.");
  const start = listing.offset;
  if (listing.empties < (st.emptyPages ?? 0)) return { ResourceTagMappingList: [], PaginationToken: st.tokens.issue("GetResources", start, undefined, listing.empties + 1) };
  const matching = st.tasks.filter(
    (t) => Object.keys(t.tags ?? {}).length > 0 && typeMatches(types) && filtersMatch(filters, t.tags ?? {}) && (!arns || arns.includes(t.taskArn)),
  );
  const size = st.forcePageSize ?? perPage ?? st.pageSize ?? 50;
  const page = matching.slice(start, start + size);
  return {
    ResourceTagMappingList: page.map((t) => ({
      ResourceARN: t.taskArn,
      Tags: Object.entries(t.tags ?? {}).map(([Key, Value]) => ({ Key, Value })),
    })),
    PaginationToken: start + size < matching.length ? (st.repeatToken && token) || st.tokens.issue("GetResources", start + size, undefined, listing.empties) : "",
  };
}

function tagFilters(value: unknown): TagFilter[] {
  if (value === undefined || value === null) return [];
  const ok =
    Array.isArray(value) &&
    value.every(
      (f) =>
        f !== null &&
        typeof f === "object" &&
        typeof f.Key === "string" &&
        (f.Values === undefined || (Array.isArray(f.Values) && f.Values.every((v: unknown) => typeof v === "string"))),
    );
  if (!ok) throw new AwsError("InvalidParameterException", "TagFilters must be a list of {Key, Values}.");
  if (value.length > 50) throw new AwsError("InvalidParameterException", "TagFilters can include up to 50 keys.");
  return value as TagFilter[];
}

// Every fake resource is an ECS task, so only the service "ecs" or the type "ecs:task" select it.
function typeMatches(types: string[] | undefined): boolean {
  return !types || types.length === 0 || types.some((t) => t === "ecs" || t === "ecs:task");
}

/** AND across filters, OR within a filter's Values; a filter without Values matches any value of its key. */
function filtersMatch(filters: TagFilter[], tags: Record<string, string>): boolean {
  return filters.every((f) => {
    if (!Object.hasOwn(tags, f.Key)) return false;
    return !f.Values || f.Values.length === 0 || f.Values.includes(tags[f.Key]);
  });
}
