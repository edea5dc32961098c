// Entry point bundled to dist/cli.js for the `edgelog` bin.

import { main } from "./main.js";

main(process.argv.slice(2), process.env).then((code) => {
  process.exitCode = code;
  // Pending sockets (a long-poll being aborted) must not hold the process open.
  setTimeout(() => process.exit(code), 100).unref();
});
