// The console's entry: mounts the app into the page the Worker serves at /console/.

import { render } from "preact";
import { App } from "./app.js";
import "./styles.css";

render(<App />, document.getElementById("app")!);
