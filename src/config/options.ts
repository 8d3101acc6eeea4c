// Every flag and env var in one table: the parser, the config and --help all read it, so the docs cannot drift.

export const ENV = {
  app: "ENTRYPOINT_APP",
  sha: "ENTRYPOINT_GIT_SHA",
  basename: "ENTRYPOINT_NODE_BASENAME",
  ip: "ENTRYPOINT_IP",
  metadataUriV4: "ECS_CONTAINER_METADATA_URI_V4",
  metadataUriV3: "ECS_CONTAINER_METADATA_URI",
  metadataTimeout: "ENTRYPOINT_METADATA_TIMEOUT_MS",
  ipFamily: "ENTRYPOINT_IP_FAMILY",
  distribution: "ENTRYPOINT_DISTRIBUTION",
  distPort: "ENTRYPOINT_DIST_PORT",
  epmd: "ENTRYPOINT_EPMD",
  peers: "ENTRYPOINT_PEERS",
  peersQuery: "ENTRYPOINT_PEERS_QUERY",
  dnsClusterQuery: "DNS_CLUSTER_ECS_QUERY",
  peersTimeout: "ENTRYPOINT_PEERS_TIMEOUT_MS",
  execMode: "ENTRYPOINT_EXEC_MODE",
  binDir: "ENTRYPOINT_BIN_DIR",
  allowNoMetadata: "ENTRYPOINT_ALLOW_NO_METADATA",
  logFormat: "ENTRYPOINT_LOG_FORMAT",
  quiet: "ENTRYPOINT_QUIET",
  debug: "ENTRYPOINT_DEBUG",
  distTls: "ENTRYPOINT_DIST_TLS",
  tlsCa: "ENTRYPOINT_TLS_CA",
  tlsCert: "ENTRYPOINT_TLS_CERT",
  tlsKey: "ENTRYPOINT_TLS_KEY",
  tlsServerName: "ENTRYPOINT_TLS_SERVER_NAME",
  tlsVersions: "ENTRYPOINT_TLS_VERSIONS",
} as const;

export interface OptionSpec {
  readonly key: string;
  readonly flag: string;
  /** Placeholder for the value; absent for on/off flags. */
  readonly value?: string;
  readonly env: readonly string[];
  readonly help: string;
  readonly default?: string;
  /** Flags that may be given more than once. */
  readonly repeatable?: boolean;
}

export const BOOT_OPTIONS = [
  { key: "app", flag: "--app", value: "NAME", env: [ENV.app], help: "release name, first part of the node basename", default: "baked value, else RELEASE_NAME from the release start script in the bin dir" },
  { key: "sha", flag: "--sha", value: "SHA", env: [ENV.sha], help: "version part of the basename (<app>-<sha>)", default: "baked value, else empty" },
  { key: "basename", flag: "--basename", value: "NAME", env: [ENV.basename], help: "whole node basename, overrides app and sha" },
  { key: "ip", flag: "--ip", value: "ADDR", env: [ENV.ip], help: "use this IP and skip the metadata endpoint" },
  { key: "metadataUri", flag: "--metadata-uri", value: "URI", env: [ENV.metadataUriV4, ENV.metadataUriV3], help: "ECS task metadata endpoint (v4, else v3)" },
  { key: "metadataTimeout", flag: "--metadata-timeout", value: "MS", env: [ENV.metadataTimeout], help: "total deadline for the metadata, retries included", default: "10000" },
  { key: "ipFamily", flag: "--ip-family", value: "auto|ipv4|ipv6", env: [ENV.ipFamily], help: "which address of the task; auto = IPv4 if the task has one", default: "auto" },
  { key: "distribution", flag: "--distribution", value: "name|sname", env: [ENV.distribution], help: "value of RELEASE_DISTRIBUTION", default: "name" },
  { key: "distPort", flag: "--dist-port", value: "PORT|MIN-MAX", env: [ENV.distPort], help: "pin Erlang distribution's listen port(s)" },
  { key: "epmd", flag: "--epmd", value: "on|off", env: [ENV.epmd], help: "off: no epmd; every node listens on and dials the one --dist-port", default: "on" },
  { key: "peers", flag: "--peers", value: "off|family|service:NAME|tags", env: [ENV.peers], help: "peer pre-resolution into ECS_PEER_IPS / ECS_PEER_NODES", default: `off; tags when ${ENV.dnsClusterQuery} is set` },
  { key: "peersQuery", flag: "--peers-query", value: "JSON", env: [ENV.peersQuery, ENV.dnsClusterQuery], help: 'tags query {"cluster","region","params":{"TagFilters":[...]}}' },
  { key: "peersTimeout", flag: "--peers-timeout", value: "MS", env: [ENV.peersTimeout], help: "deadline for the whole peer step (throttling waits included)", default: "60000" },
  { key: "distTls", flag: "--dist-tls", env: [ENV.distTls], help: "TLS distribution with mutual authentication (on|off in the env var); needs the CA, certificate and key below", default: "off" },
  { key: "tlsCa", flag: "--dist-tls-ca", value: "PEM|PATH", env: [ENV.tlsCa], help: "TLS: CA certificate(s) that sign every node's certificate, as PEM text or an absolute path" },
  { key: "tlsCert", flag: "--dist-tls-cert", value: "PEM|PATH", env: [ENV.tlsCert], help: "TLS: this node's certificate (chain), as PEM text or an absolute path" },
  { key: "tlsKey", flag: "--dist-tls-key", value: "PEM|PATH", env: [ENV.tlsKey], help: "TLS: the certificate's private key, as PEM text or an absolute path" },
  { key: "tlsServerName", flag: "--dist-tls-name", value: "NAME", env: [ENV.tlsServerName], help: "TLS: DNS name in every node's certificate that clients check (node names hold IPs)", default: "the one DNS name of the node's certificate" },
  { key: "tlsVersions", flag: "--dist-tls-versions", value: "1.3|1.2,1.3", env: [ENV.tlsVersions], help: "TLS versions the nodes accept", default: "1.3" },
  { key: "execMode", flag: "--exec-mode", value: "auto|execve|spawn", env: [ENV.execMode], help: "auto = execve when the runtime has it", default: "auto" },
  { key: "binDir", flag: "--bin-dir", value: "DIR", env: [ENV.binDir], help: "where bare command names are looked up first", default: "the directory of this file" },
  { key: "allowNoMetadata", flag: "--allow-no-metadata", env: [ENV.allowNoMetadata], help: "no metadata URI and no --ip: run the command without distribution variables" },
  { key: "logFormat", flag: "--log-format", value: "text|json", env: [ENV.logFormat], help: "stderr log format", default: "text" },
  { key: "quiet", flag: "--quiet", env: [ENV.quiet], help: "warnings and errors only" },
] as const satisfies readonly OptionSpec[];

export type BootOptionKey = (typeof BOOT_OPTIONS)[number]["key"];

export const SUBCOMMANDS = ["env", "fake-metadata", "install", "doctor", "peers", "help", "version"] as const;
export type Subcommand = (typeof SUBCOMMANDS)[number];

/** Options that only one subcommand takes; they have no env var. */
export const SUBCOMMAND_OPTIONS: Partial<Record<Subcommand, readonly OptionSpec[]>> = {
  env: [
    { key: "format", flag: "--format", value: "shell|json|dotenv", env: [], help: "output format", default: "shell" },
    { key: "output", flag: "--output", value: "FILE", env: [], help: "write the shell lines to FILE atomically, for rel/env.sh to source (init container)" },
  ],
  peers: [{ key: "format", flag: "--format", value: "lines|json|shell", env: [], help: "output format", default: "lines" }],
  doctor: [
    { key: "format", flag: "--format", value: "text|json", env: [], help: "output format", default: "text" },
    { key: "peer", flag: "--peer", value: "ADDR", env: [], help: "check this peer instead of discovering peers (repeatable)", repeatable: true },
  ],
  "fake-metadata": [
    { key: "port", flag: "--port", value: "N", env: [], help: "port to listen on", default: "0 (any free port)" },
    { key: "host", flag: "--host", value: "ADDR", env: [], help: "address to bind; anything but loopback must be asked for", default: "127.0.0.1" },
    { key: "networkMode", flag: "--network-mode", value: "awsvpc|bridge|host", env: [], help: "NetworkMode reported in the metadata", default: "awsvpc" },
    { key: "cluster", flag: "--cluster", value: "NAME", env: [], help: "cluster reported for every task", default: "local" },
    { key: "family", flag: "--family", value: "NAME", env: [], help: "task definition family reported for every task", default: "local-app" },
    { key: "service", flag: "--service", value: "NAME", env: [], help: "ECS service of every task, for --peers service:NAME" },
    { key: "region", flag: "--region", value: "REGION", env: [], help: "region in the task ARNs", default: "us-east-1" },
    { key: "tag", flag: "--tag", value: "KEY=VALUE", env: [], help: "tag of every task, for the tags strategy (repeatable)", repeatable: true },
    { key: "expire", flag: "--expire", value: "MS", env: [], help: "forget a task that has not asked for metadata for this long", default: "60000" },
    { key: "instanceIp", flag: "--instance-ip", value: "ADDR", env: [], help: "bridge/host: the instance's private IPv4, in the metadata file and IMDS", default: "IMDS: the caller's address; file: 127.0.0.1" },
    { key: "containerPort", flag: "--container-port", value: "N", env: [], help: "bridge: the container's distribution port in Ports", default: "9100" },
    { key: "hostPort", flag: "--host-port", value: "N", env: [], help: "bridge: the host port that publishes it (another value: a dynamic host port)", default: "the container port" },
    { key: "metadataFile", flag: "--metadata-file", value: "PATH", env: [], help: "bridge/host: where to write the container metadata file", default: "a file in TMPDIR" },
    { key: "metadataFileDelay", flag: "--metadata-file-delay", value: "MS|never", env: [], help: "bridge/host: when the file turns from NOT_READY to READY", default: "1000" },
  ],
};
