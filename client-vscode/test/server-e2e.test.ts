/**
 * The client's wire contract against the real server (`python -m splice serve` from the project's .venv), spoken
 * over JSON-RPC the way vscode-languageclient speaks it: initializationOptions built by readSettings with every
 * setting set, the declared proposal scheme, index status notifications, settings changes, and a clear error for
 * an unknown proposal. Skipped when the venv is missing.
 */
import "./setup";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import {
    createProtocolConnection,
    DidChangeConfigurationNotification,
    ExecuteCommandRequest,
    InitializedNotification,
    InitializeRequest,
    type InitializeResult,
    type ProtocolConnection,
} from "vscode-languageclient/node";
import { proposalUriParts, ReviewSession } from "../src/proposal";
import { EXPERIMENTAL_CAPABILITIES, Methods, PROPOSAL_SCHEME, ServerCommands } from "../src/protocol";
import type { IndexStatusParams, Outcome, Proposal, ProposalReadyParams, ServerSettingsPayload } from "../src/protocol";
import { readSettings, SETTINGS, type InspectedValue } from "../src/settings";

const python = path.resolve(__dirname, "../../.venv/bin/python");

const CALC = [
    "def add(a, b):",
    "    return a + b",
    ...Array.from({ length: 12 }, (_, i) => `CONSTANT_${i} = ${i}`),
    "",
    "def twice(x):",
    "    return add(x, x)",
    "",
].join("\n");

/** Two SEARCH/REPLACE blocks far apart: two hunks. */
const ANSWER = [
    "calc.py",
    "<<<<<<< SEARCH",
    "def add(a, b):",
    "=======",
    "def add(a, b):",
    '    """Sum of a and b."""',
    ">>>>>>> REPLACE",
    "",
    "calc.py",
    "<<<<<<< SEARCH",
    "def twice(x):",
    "=======",
    "def twice(x):",
    '    """Twice x."""',
    ">>>>>>> REPLACE",
    "",
].join("\n");

interface TextEdit {
    range: { start: { line: number; character: number }; end: { line: number; character: number } };
    newText: string;
}

/** Applies LSP text edits (ASCII text: UTF-16 and code points agree) bottom-up. */
function applyEdits(text: string, edits: TextEdit[]): string {
    const lines = text.split("\n");
    const offset = (p: { line: number; character: number }) =>
        lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
    const sorted = [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start));
    return sorted.reduce((acc, e) => acc.slice(0, offset(e.range.start)) + e.newText + acc.slice(offset(e.range.end)), text);
}

/** A valid, non-default value for every setting, as a user would set them. */
const EVERY_SETTING: Record<string, unknown> = {
    "server.python": python,
    model: "openai/gpt-4o-mini",
    "models.generate": "openai/gpt-4o",
    "models.explain": "openai/gpt-4o-mini",
    "models.migrate": "openai/gpt-4o",
    "models.review": "openai/gpt-4o-mini",
    apiBase: "http://127.0.0.1:9/v1",
    apiKeyEnv: "SPLICE_TEST_KEY",
    temperature: 0.5,
    maxTokens: 1000,
    timeout: 30,
    connectTimeout: 3,
    firstTokenTimeout: 20,
    concurrency: 2,
    maxRetries: 1,
    exclude: ["*.log"],
    "index.maxFileSize": 200000,
    "context.budget": 3000,
    "embeddings.model": "none",
    "cache.enabled": false,
    "cache.redisUrl": null,
    "budget.perRequest": 0.5,
    "budget.daily": 5,
    "verify.command": "true",
    "verify.maxRounds": 1,
    "verify.timeout": 20,
    "review.mode": "inline",
    "review.agent": false,
};

it("sets every setting the client knows", () => {
    assert.deepEqual(Object.keys(EVERY_SETTING).sort(), Object.keys(SETTINGS).sort());
});

function payloadFor(values: Record<string, unknown>, trusted: boolean): ServerSettingsPayload {
    const read = readSettings((key): InspectedValue => ({ globalValue: values[key] }), trusted);
    assert.deepEqual(read.problems, []);
    return { splice: read.server, workspaceTrusted: trusted };
}

describe("the real server accepts what the client sends", { skip: !existsSync(python) && "no .venv with splice" }, () => {
    let child: ChildProcess;
    let connection: ProtocolConnection;
    let init: InitializeResult;
    const messages: string[] = [];
    const statuses: IndexStatusParams[] = [];
    let ready: Promise<void>;
    let workspace: string;
    const proposalsReady: ProposalReadyParams[] = [];
    const appliedEdits: unknown[] = [];

    before(async () => {
        workspace = mkdtempSync(path.join(os.tmpdir(), "splice-client-e2e-"));
        writeFileSync(path.join(workspace, "calc.py"), CALC);
        child = spawn(python, ["-m", "splice", "serve", "--stdio"], { cwd: workspace, stdio: ["pipe", "pipe", "pipe"] });
        child.stderr?.resume();
        connection = createProtocolConnection(child.stdout!, child.stdin!);
        connection.onNotification("window/showMessage", (p: { message: string }) => {
            messages.push(p.message);
        });
        connection.onRequest("window/workDoneProgress/create", () => null);
        connection.onRequest("client/registerCapability", () => null);
        connection.onNotification("$/progress", () => undefined);
        connection.onNotification("window/logMessage", () => undefined);
        connection.onNotification(Methods.PROPOSAL_READY, (p: ProposalReadyParams) => {
            proposalsReady.push(p);
        });
        connection.onRequest("workspace/applyEdit", (params: { edit: unknown }) => {
            appliedEdits.push(params.edit);
            return { applied: true };
        });
        ready = new Promise((resolve) => {
            connection.onNotification(Methods.INDEX_STATUS, (p: IndexStatusParams) => {
                statuses.push(p);
                if (p.state === "ready" || p.state === "error") {
                    resolve();
                }
            });
        });
        connection.listen();
        const uri = pathToFileURL(workspace).href;
        init = await connection.sendRequest(InitializeRequest.type, {
            processId: process.pid,
            rootUri: uri,
            workspaceFolders: [{ uri, name: "ws" }],
            capabilities: { window: { workDoneProgress: true }, experimental: EXPERIMENTAL_CAPABILITIES },
            initializationOptions: payloadFor(EVERY_SETTING, true),
        });
        await connection.sendNotification(InitializedNotification.type, {});
    });

    after(() => {
        connection?.dispose();
        child?.kill();
    });

    it("declares the proposal scheme and the commands the review needs", () => {
        const workspace = init.capabilities.workspace as { textDocumentContent?: { schemes?: string[] } } | undefined;
        assert.deepEqual(workspace?.textDocumentContent?.schemes, [PROPOSAL_SCHEME]);
        const commands = init.capabilities.executeCommandProvider?.commands ?? [];
        for (const needed of [ServerCommands.APPLY_PROPOSAL, ServerCommands.REJECT_PROPOSAL, ServerCommands.REINDEX]) {
            assert.ok(commands.includes(needed), `${needed} in ${JSON.stringify(commands)}`);
        }
    });

    it("reports index progress in the shape the status bar reads", async () => {
        await ready;
        const last = statuses[statuses.length - 1];
        assert.equal(last.state, "ready", JSON.stringify(last));
        for (const s of statuses) {
            assert.ok(["starting", "indexing", "ready", "error"].includes(s.state));
            assert.equal(typeof s.done, "number");
            assert.equal(typeof s.total, "number");
            assert.equal(typeof s.message, "string");
        }
    });

    it("takes every setting without a complaint, at start and on change", async () => {
        await ready;
        assert.deepEqual(messages.filter((m) => m.includes("splice.")), []);
        await connection.sendNotification(DidChangeConfigurationNotification.type, {
            settings: payloadFor({ ...EVERY_SETTING, temperature: 0.1, exclude: ["*.tmp"] }, false),
        });
        const result: unknown = await connection.sendRequest(ExecuteCommandRequest.type, { command: ServerCommands.REINDEX, arguments: [{}] });
        assert.deepEqual(result, { state: "ready" });
        assert.deepEqual(messages.filter((m) => m.includes("splice.")), []);
    });

    it("answers an unknown proposal with an error the review can show", async () => {
        await assert.rejects(connection.sendRequest(Methods.PROPOSAL, { id: "no-such-proposal" }), (error: Error) => {
            assert.match(error.message, /no-such-proposal/, "the error names the proposal");
            return true;
        });
    });

    it("runs an inline review: proposalReady, splice/proposal, the proposal document, one accepted hunk applied", async () => {
        await ready;
        const started = (await connection.sendRequest(ExecuteCommandRequest.type, {
            command: ServerCommands.PROPOSE_EDIT,
            arguments: [{ answer: ANSWER, uri: pathToFileURL(path.join(workspace, "calc.py")).href }],
        })) as Outcome;
        assert.equal(started.status, "pending", JSON.stringify(started));
        assert.deepEqual(proposalsReady.map((p) => [p.id, p.review]), [[started.id, "inline"]]);

        const proposal: Proposal = await connection.sendRequest(Methods.PROPOSAL, { id: started.id });
        const session = new ReviewSession(proposal);
        assert.equal(session.hunks.length, 2, JSON.stringify(proposal.files.map((f) => f.hunks)));
        const [file] = proposal.files;
        assert.equal(file.path, "calc.py");
        assert.equal(file.originalText, CALC);

        const parts = proposalUriParts(file.path, proposal.id);
        const content: { text: string } = await connection.sendRequest("workspace/textDocumentContent", {
            uri: `${parts.scheme}:${parts.path}?${parts.query}`,
        });
        assert.equal(content.text, file.proposedText, "the server serves the proposed text at the URI the client builds");

        session.decide(session.hunks[0].hunk.id, "accepted");
        session.decide(session.hunks[1].hunk.id, "rejected");
        const decided = session.outcome();
        assert.equal(decided.kind, "apply");
        const outcome = (await connection.sendRequest(ExecuteCommandRequest.type, {
            command: ServerCommands.APPLY_PROPOSAL,
            arguments: [decided.kind === "apply" ? decided.args : undefined],
        })) as Outcome;
        assert.equal(outcome.applied, true, JSON.stringify(outcome));

        assert.equal(appliedEdits.length, 1);
        const edit = appliedEdits[0] as { changes?: Record<string, TextEdit[]>; documentChanges?: { edits: TextEdit[] }[] };
        const edits = edit.documentChanges ? edit.documentChanges.flatMap((d) => d.edits) : Object.values(edit.changes ?? {}).flat();
        const result = applyEdits(CALC, edits);
        assert.ok(result.includes('"""Sum of a and b."""'), result);
        assert.ok(!result.includes('"""Twice x."""'), "the rejected hunk is not applied");
    });
});
