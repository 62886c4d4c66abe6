import "./setup";
import assert from "node:assert/strict";
import { chmodSync, existsSync, mkdtempSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { mkdirSync } from "node:fs";
import { bundledWheel, defaultRequirement, fixesFor, Fix, pickBase } from "../src/install";
import { choosePython, classifyProbe, describeProblem, probe, venvPython } from "../src/python";

const base = { home: "/home/ana", platform: "linux" as NodeJS.Platform, workspaceFolder: "/work/proj" };

describe("choosePython", () => {
    it("prefers the setting, then the Python extension, then python3", () => {
        assert.deepEqual(choosePython({ ...base, setting: "/opt/py/bin/python", extensionInterpreter: "/venv/bin/python" }), {
            command: "/opt/py/bin/python",
            source: "setting",
        });
        assert.deepEqual(choosePython({ ...base, setting: "  ", extensionInterpreter: "/venv/bin/python" }), {
            command: "/venv/bin/python",
            source: "python-extension",
        });
        assert.deepEqual(choosePython({ ...base, setting: "" }), { command: "python3", source: "default" });
        assert.equal(choosePython({ ...base, setting: "", platform: "win32" }).command, "python");
    });

    it("expands variables, ~ and workspace-relative paths but leaves bare names to PATH", () => {
        assert.equal(choosePython({ ...base, setting: "${workspaceFolder}/.venv/bin/python" }).command, "/work/proj/.venv/bin/python");
        assert.equal(choosePython({ ...base, setting: "${userHome}/py/bin/python" }).command, "/home/ana/py/bin/python");
        assert.equal(choosePython({ ...base, setting: "~/py/bin/python" }).command, "/home/ana/py/bin/python");
        assert.equal(choosePython({ ...base, setting: ".venv/bin/python" }).command, "/work/proj/.venv/bin/python");
        assert.equal(choosePython({ ...base, setting: "python3.12" }).command, "python3.12");
    });

    it("knows where a venv keeps its interpreter", () => {
        assert.equal(venvPython("/s/venv", "linux"), "/s/venv/bin/python");
        assert.equal(venvPython("/s/venv", "win32"), path.join("/s/venv", "Scripts", "python.exe"));
    });
});

describe("classifyProbe", () => {
    it("reports a missing interpreter", () => {
        const r = classifyProbe({ code: "ENOENT" }, "", "");
        assert.deepEqual(r, { ok: false, problem: "no-interpreter", detail: "ENOENT" });
        assert.match(describeProblem(r, "/nope/python"), /could not run the Python interpreter "\/nope\/python"/);
    });

    it("reports an old Python before a missing package", () => {
        const r = classifyProbe({ code: 1 }, "python 3.9\n", "ModuleNotFoundError: No module named 'splice'\n");
        assert.deepEqual(r, { ok: false, problem: "old-python", detail: "3.9" });
    });

    it("reports Splice missing from a good Python", () => {
        const r = classifyProbe({ code: 1 }, "python 3.12\n", "Traceback…\nModuleNotFoundError: No module named 'splice'\n");
        assert.deepEqual(r, { ok: false, problem: "not-installed", detail: "3.12" });
        assert.equal(describeProblem(r as never, "python3"), 'Splice is not installed in "python3" (Python 3.12).');
    });

    it("reports a broken installation with the end of the traceback", () => {
        const r = classifyProbe({ code: 1 }, "python 3.12\n", "Traceback\n  File x\nImportError: cannot import name 'foo'\n");
        assert.equal(r.ok, false);
        assert.equal((r as { problem: string }).problem, "broken");
        assert.match((r as { detail: string }).detail, /ImportError: cannot import name 'foo'/);
    });

    it("accepts a working installation", () => {
        assert.deepEqual(classifyProbe(null, "python 3.11\nsplice 0.1.0\n", ""), { ok: true, version: "0.1.0", pythonVersion: "3.11" });
    });
});

describe("probe runs the interpreter", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "splice-probe-"));
    const fake = (name: string, script: string): string => {
        const file = path.join(dir, name);
        writeFileSync(file, `#!/bin/sh\n${script}\n`);
        chmodSync(file, 0o755);
        return file;
    };

    it("finds no interpreter at a wrong path", async () => {
        const r = await probe(path.join(dir, "missing-python"), undefined);
        assert.equal(r.ok, false);
        assert.equal((r as { problem: string }).problem, "no-interpreter");
    });

    it("tells an old Python from a good one", async () => {
        const old = fake("py39", 'echo "python 3.9"; echo "ModuleNotFoundError: No module named \'splice\'" >&2; exit 1');
        assert.deepEqual(await probe(old, undefined), { ok: false, problem: "old-python", detail: "3.9" });
        const good = fake("py312", 'echo "python 3.12"; echo "splice 0.1.0"');
        assert.deepEqual(await probe(good, undefined), { ok: true, version: "0.1.0", pythonVersion: "3.12" });
    });

    const venv = path.resolve(__dirname, "../../.venv/bin/python");
    it("accepts the project's own venv", { skip: !existsSync(venv) && "no .venv" }, async () => {
        const r = await probe(venv, undefined);
        assert.equal(r.ok, true, JSON.stringify(r));
    });
});

describe("install fixes", () => {
    it("offers the fix that matches the problem first", () => {
        assert.equal(fixesFor("not-installed")[0], Fix.INSTALL);
        assert.equal(fixesFor("no-interpreter")[0], Fix.CHOOSE);
        assert.equal(fixesFor("broken")[0], Fix.LOGS);
    });

    it("builds the venv from the first Python that is new enough", () => {
        assert.equal(
            pickBase([
                { command: "python3.13", result: { ok: false, problem: "no-interpreter", detail: "ENOENT" } },
                { command: "python3", result: { ok: false, problem: "old-python", detail: "3.9" } },
                { command: "python", result: { ok: false, problem: "not-installed", detail: "3.12" } },
            ]),
            "python",
        );
        assert.equal(pickBase([{ command: "python3", result: { ok: false, problem: "old-python", detail: "3.8" } }]), undefined);
    });
});

describe("the server the extension installs", () => {
    it("is the wheel the .vsix carries, not a package the index does not have", () => {
        const extension = mkdtempSync(path.join(os.tmpdir(), "splice-ext-"));
        assert.equal(bundledWheel(extension), undefined);
        const untrusted = { workspaceFolders: undefined, isTrusted: false } as never;
        assert.equal(defaultRequirement(extension, untrusted), "", "no wheel: nothing pre-filled, never 'splice'");
        mkdirSync(path.join(extension, "dist", "wheel"), { recursive: true });
        writeFileSync(path.join(extension, "dist", "wheel", "splice-0.1.0-py3-none-any.whl"), "");
        const wheel = path.join(extension, "dist", "wheel", "splice-0.1.0-py3-none-any.whl");
        assert.equal(bundledWheel(extension), wheel);
        assert.equal(defaultRequirement(extension, untrusted), wheel);
    });
});
