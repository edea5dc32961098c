// Entry point bundled to dist/gateway.mjs: `node dist/gateway.mjs --listen 127.0.0.1:9092 --upstream http://127.0.0.1:8787`.

import { runGateway } from "./main.js";

void runGateway(process.argv.slice(2)).then((code) => {
  if (code !== undefined) process.exit(code);
});
