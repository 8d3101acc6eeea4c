#!/usr/bin/env node
// npm run bench: measured figures side by side (the old shell script, bare node, the entrypoint).
import { bootBench } from "./boot.mjs";
import { distTlsBench } from "./dist-tls.mjs";
import { peersBench } from "./peers.mjs";
import { stormBench } from "./storm.mjs";

console.log(`node ${process.version} on ${process.platform}/${process.arch}`);
await bootBench();
await peersBench();
await stormBench();
await distTlsBench();
