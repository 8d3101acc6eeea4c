// "entrypoint doctor": why don't my nodes cluster? (SPEC 4.7)
import type { CommandLine } from "../cli.ts";
import type { Config } from "../config.ts";
import { usageError } from "../errors.ts";
import type { Logger } from "../log.ts";

export interface DoctorInput {
  line: CommandLine;
  config: Config;
  env: NodeJS.ProcessEnv;
  log: Logger;
}

/** Exit 0 when nothing blocks clustering, 1 otherwise. */
export async function runDoctor(input: DoctorInput): Promise<number> {
  void input;
  throw usageError('"doctor" is not available in this version');
}
