import { mount } from "svelte";
import App from "./App.svelte";
import { app } from "./lib/app.svelte";

// A bug must never pass silently at a bank counter: show it.
window.addEventListener("error", (e) => (app.fault = String(e.message)));
window.addEventListener("unhandledrejection", (e) => (app.fault = String(e.reason)));

const target = document.getElementById("app");
if (!target) throw new Error("#app is missing from index.html");
export default mount(App, { target });
