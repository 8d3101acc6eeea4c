/** What TLS distribution needs, read and checked: PEM texts (never logged), the name clients check, the versions allowed. */
export interface TlsMaterial {
  /** CA certificate(s) that sign every node's certificate. */
  ca: string;
  /** This node's certificate (chain), presented as server and as client. */
  cert: string;
  /** The private key of cert. */
  key: string;
  /** DNS name in the certificates that clients check instead of the IP in the node name. */
  serverName: string;
  versions: ("tlsv1.3" | "tlsv1.2")[];
}
