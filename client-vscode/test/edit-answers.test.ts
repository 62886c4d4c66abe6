/** Model answers in the client: the model's words on the review, and a pick among alternative code blocks. */
import "./setup";
import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";
import type * as vscode from "vscode";
import type { ServerManager } from "../src/client";
import { blockChoices, serverCommandMiddleware, type Services } from "../src/commands";
import { InlineReview, rationaleTooltip } from "../src/review";
import { file, hunk, proposal } from "./fixtures";
import { ui, Uri } from "./vscode-stub";

const WHY = "Unknown tiers should get no discount.\nI could not update the tests: they were not shown.";

describe("the model's words in the review", () => {
    beforeEach(() => ui.reset());

    it("puts the rationale on the review's title lens", async () => {
        const p = proposal("p1", [file("a.py", [hunk("h1", 2)])], { rationale: WHY });
        const server = {
            request: () => Promise.resolve(p),
            executeCommand: () => Promise.resolve(null),
            servesProposalDocuments: () => true,
        };
        const log = { info: () => undefined, warn: () => undefined } as unknown as vscode.LogOutputChannel;
        const memento = { get: () => true, update: () => Promise.resolve() } as unknown as vscode.Memento;
        const review = new InlineReview(server as unknown as ServerManager, log, memento, () => undefined);
        await review.open("p1");
        const provider = ui.called("registerCodeLensProvider")[0].args[1] as {
            provideCodeLenses(doc: unknown): { command?: { title: string; tooltip?: string } }[];
        };
        const [title] = provider.provideCodeLenses({ uri: Uri.parse("splice-proposal:/a.py?id=p1"), lineCount: 20 });
        assert.equal(title.command?.tooltip, `Why (the model's words):\n${WHY}`);
    });

    it("says nothing when the model gave no words", () => {
        assert.equal(rationaleTooltip(proposal("p2", [], { rationale: "  " })), undefined);
    });
});

describe("alternative code blocks", () => {
    const sent: unknown[] = [];
    const refused = {
        id: "",
        applied: false,
        status: "refused",
        message: "the answer has 2 code blocks defining 'f'; cannot tell which to apply. Pick one (--block N, 1-2)",
        choices: ["block 1: def f(x):", "block 2: def f(x, y=0):"],
    };
    const services = {
        server: {
            executeCommand: (_command: string, args: unknown) => {
                sent.push(args);
                return Promise.resolve(sent.length === 1 ? refused : { id: "p9", applied: true, status: "applied", message: "Applied." });
            },
        },
        review: { open: () => Promise.resolve() },
        log: { info: () => undefined },
    } as unknown as Services;
    const run = (...args: unknown[]) =>
        (serverCommandMiddleware(() => services).executeCommand as (c: string, a: unknown[], n: unknown) => Promise<unknown>)(
            "splice.proposeEdit",
            args,
            () => undefined,
        );

    beforeEach(() => {
        ui.reset();
        sent.length = 0;
    });

    it("turns the server's choices into quick-pick items numbered from 1", () => {
        assert.deepEqual(blockChoices(refused), [
            { label: "block 1: def f(x):", block: 1 },
            { label: "block 2: def f(x, y=0):", block: 2 },
        ]);
        assert.deepEqual(blockChoices({ id: "", applied: false, status: "refused", message: "no" }), []);
    });

    it("asks which block and proposes again with the one picked", async () => {
        ui.answers.push({ label: "block 2: def f(x, y=0):", block: 2 });
        const result = (await run({ answer: "two blocks", uri: "file:///w/f.py" })) as { applied: boolean };
        assert.equal(ui.called("showQuickPick").length, 1);
        assert.deepEqual(sent, [
            { answer: "two blocks", uri: "file:///w/f.py" },
            { answer: "two blocks", uri: "file:///w/f.py", block: 2 },
        ]);
        assert.equal(result.applied, true);
    });

    it("sends nothing more when the pick is dismissed", async () => {
        await run({ answer: "two blocks" });
        assert.deepEqual(sent, [{ answer: "two blocks" }]);
    });
});
