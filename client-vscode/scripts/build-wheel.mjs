// Builds the Splice server's wheel into dist/wheel/ so the .vsix carries it: the extension installs its own server
// from that file into a virtual environment it creates (there is no "splice" package on the package index).
// Uses the repository's .venv Python when there is one, else python3; pip fetches only the build backend.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";

const out = join("dist", "wheel");
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const python = existsSync(join(".venv", "bin", "python")) ? join(".venv", "bin", "python") : "python3";
const run = spawnSync(python, ["-m", "pip", "wheel", "--no-deps", "--quiet", "--disable-pip-version-check", "-w", out, "."], {
    stdio: ["ignore", "inherit", "inherit"],
});
const wheels = existsSync(out) ? readdirSync(out).filter((f) => /^splice-.+-py3-none-any\.whl$/.test(f)) : [];
if (run.status !== 0 || wheels.length !== 1) {
    console.error(`building the Splice wheel failed (exit ${run.status}); found ${JSON.stringify(wheels)}`);
    process.exit(1);
}
console.log(`bundled ${join(out, wheels[0])}`);
