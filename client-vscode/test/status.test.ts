import "./setup";
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { menuEntries, chooseErrorText, passedArgs, serverShowedIt } from "../src/commands";
import { isUsageReport, resultMarkdown, usageMarkdown } from "../src/render";
import { formatCost, shortModel, statusView, type StatusState } from "../src/status";

const running: StatusState = { server: "running", pendingReviews: 0, trusted: true, model: "openai/gpt-4o-mini", todayCost: 0.1234 };

describe("statusView", () => {
    it("shows indexing progress as a percentage", () => {
        const view = statusView({ ...running, index: { state: "indexing", done: 42, total: 200, message: "src/a.py" } });
        assert.equal(view.text, "$(sync~spin) Splice: indexing 21% · gpt-4o-mini · $0.12");
        assert.match(view.tooltip, /Indexing: 42\/200 — src\/a.py/);
    });

    it("shows ready, the model and the cost; warns when no model is set", () => {
        assert.equal(statusView({ ...running, index: { state: "ready", done: 9, total: 9, message: "" } }).text, "$(check) Splice · gpt-4o-mini · $0.12");
        const noModel = statusView({ ...running, model: null, todayCost: undefined, index: { state: "ready", done: 1, total: 1, message: "" } });
        assert.equal(noModel.text, "$(check) Splice · no model");
        assert.equal(noModel.severity, "warning");
    });

    it("flags index errors and a stopped server", () => {
        const error = statusView({ ...running, index: { state: "error", done: 0, total: 0, message: "disk full" } });
        assert.equal(error.text, "$(error) Splice: index error · gpt-4o-mini · $0.12");
        assert.equal(error.severity, "error");
        assert.match(error.tooltip, /disk full/);
        const stopped = statusView({ ...running, server: "failed", serverMessage: "Splice is not installed in \"python3\"." });
        assert.equal(stopped.text, "$(error) Splice: server stopped");
        assert.match(stopped.tooltip, /not installed/);
    });

    it("counts pending reviews and explains restricted mode", () => {
        const view = statusView({ ...running, pendingReviews: 2, trusted: false, index: { state: "indexing", done: 0, total: 0, message: "" } });
        assert.equal(view.text, "$(sync~spin) Splice: indexing… · gpt-4o-mini · $0.12 · 2 to review");
        assert.match(view.tooltip, /Restricted mode: verify commands do not run/);
    });

    it("formats costs and models", () => {
        assert.equal(formatCost(0), "$0.00");
        assert.equal(formatCost(0.004), "<$0.01");
        assert.equal(formatCost(12.345), "$12.35");
        assert.equal(shortModel("openrouter/meta-llama/llama-3"), "llama-3");
        assert.equal(shortModel("gpt-4o"), "gpt-4o");
    });
});

describe("menuEntries", () => {
    it("lists pending reviews first and server commands only while it runs", () => {
        const entries = menuEntries(running, [{ id: "p1", title: "Add docstring", open: false }], ["splice.generate", "splice.reindex"]);
        assert.deepEqual(entries[0], { label: "$(diff) Review: Add docstring", description: "waiting", command: "splice.review.open", args: ["p1"] });
        assert.deepEqual(
            entries.slice(1, 3).map((e) => e.command),
            ["splice.generate", "splice.reindex"],
            "server commands the server did not register are not offered",
        );
        const stopped = menuEntries({ ...running, server: "failed", trusted: false }, [], ["splice.generate"]);
        assert.ok(!stopped.some((e) => e.command === "splice.generate"));
        assert.deepEqual(stopped.map((e) => e.command), [
            "splice.installServer", "splice.setApiKey", "splice.restartServer", "splice.showLogs", "splice.explainRestrictedMode",
        ]);
    });
});

describe("explain-error sources", () => {
    it("prefers the selection, then the terminal, then the clipboard", () => {
        assert.deepEqual(chooseErrorText({ selection: "E1", terminal: "E2", clipboard: "E3" }), { text: "E1", from: "selection" });
        assert.deepEqual(chooseErrorText({ selection: "  ", terminal: "E2\n", clipboard: "E3" }), { text: "E2", from: "terminal" });
        assert.deepEqual(chooseErrorText({ clipboard: "Traceback" }), { text: "Traceback", from: "clipboard" });
        assert.equal(chooseErrorText({ selection: "", clipboard: " \n" }), undefined);
    });

    it("uses arguments that came with the command only when complete", () => {
        assert.deepEqual(passedArgs([{ uri: "file:///a.py", range: {} }], ["uri", "range"]), { uri: "file:///a.py", range: {} });
        assert.equal(passedArgs([{ uri: "file:///a.py" }], ["uri", "range"]), undefined);
        assert.equal(passedArgs([], []), undefined);
        assert.equal(passedArgs(["terminal"], []), undefined);
    });
});

describe("serverShowedIt", () => {
    it("leaves results the server already showed to the server", () => {
        assert.ok(serverShowedIt({ document: "file:///w/.splice/explain/1.md", cost: 0.01 }));
        assert.ok(serverShowedIt({ error: "splice.explainError needs {text}" }));
        assert.ok(!serverShowedIt({ markdown: "# x" }));
        assert.ok(!serverShowedIt("text"));
        assert.ok(!serverShowedIt(null));
    });
});

describe("render", () => {
    it("renders the usage report as a table, escaping pipes", () => {
        const report = { today: { cost: 0.5, requests: 3 }, rows: [{ day: "2026-11-23", model: "a|b", cost: 0.25, requests: 2 }, { day: "2026-11-22", feature: "explain" }] };
        assert.ok(isUsageReport(report));
        assert.equal(
            usageMarkdown(report),
            "# Splice usage\n\nToday: **$0.50** over 3 requests.\n\n| Day | Model | Cost | Requests | Feature |\n| --- | --- | ---: | ---: | --- |\n" +
                "| 2026-11-23 | a\\|b | $0.25 | 2 |  |\n| 2026-11-22 |  |  |  | explain |\n",
        );
        // the server's real row: human headings, dollars, a readable wait; no raw field names
        const real = usageMarkdown({
            today: { cost: 0.0042, requests: 7 },
            rows: [{ day: "2026-12-07", feature: "generate", model: "openai/gpt-4o-mini", requests: 7, cache_hits: 2, errors: 0, prompt_tokens: 12840, completion_tokens: 911, cost: 0.0042, latency_ms_p50: 25.34 }],
        });
        assert.match(real, /\| Day \| Feature \| Model \| Requests \| From cache \| Errors \| Prompt tokens \| Answer tokens \| Cost \| Typical wait \|/);
        assert.match(real, /\| 2026-12-07 \| generate \| openai\/gpt-4o-mini \| 7 \| 2 \| 0 \| 12,840 \| 911 \| \$0\.0042 \| 25 ms \|/);
        assert.doesNotMatch(real, /cache_hits|latency_ms_p50|25\.3400/);
        assert.match(usageMarkdown({ today: { cost: 0, requests: 1 }, rows: [] }), /over 1 request\.\n\nNo model calls recorded yet/);
        assert.equal(isUsageReport({ today: {} }), false);
    });

    it("unwraps markdown/text results and shows unknown ones as JSON", () => {
        assert.equal(resultMarkdown("Error explained", { markdown: "# Cause\nx" }), "# Cause\nx");
        assert.equal(resultMarkdown("Error explained", "plain"), "# Error explained\n\nplain");
        assert.equal(resultMarkdown("T", { odd: 1 }), '# T\n\n```json\n{\n  "odd": 1\n}\n```');
        assert.equal(resultMarkdown("T", null), undefined);
    });
});
