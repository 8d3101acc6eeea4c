export interface TlsMaterial { ca: string; cert: string; key: string; serverName: string; versions: ("tlsv1.3" | "tlsv1.2")[] }
