import { mount } from "svelte";
import App from "./App.svelte";
import "./app.css";
import { loadBackend } from "./lib/backend";

const target = document.getElementById("app");
if (!target) throw new Error("index.html has no #app element");

void loadBackend().then((backend) => mount(App, { target, props: { backend } }));
