// The core answers over HTTP, sometimes on a machine busy compiling: give it time.
import { configure } from "@testing-library/svelte";
import "../test/setup";

configure({ asyncUtilTimeout: 10_000 });
