import "./setup";
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type * as vscode from "vscode";
import { ApiKeyStore, envVarForModel, isValidEnvName, missingKeys, requiredKeys } from "../src/secrets";

describe("envVarForModel", () => {
    it("maps provider prefixes to litellm's variables", () => {
        const cases: [string, string | undefined][] = [
            ["openai/gpt-4o-mini", "OPENAI_API_KEY"],
            ["anthropic/claude-sonnet-4-5", "ANTHROPIC_API_KEY"],
            ["gemini/gemini-2.0-flash", "GEMINI_API_KEY"],
            ["openrouter/meta-llama/llama-3-70b", "OPENROUTER_API_KEY"],
            ["together_ai/mistralai/Mixtral", "TOGETHERAI_API_KEY"],
            ["gpt-4o", "OPENAI_API_KEY"],
            ["o3-mini", "OPENAI_API_KEY"],
            ["claude-3-5-haiku-latest", "ANTHROPIC_API_KEY"],
            ["ollama/qwen2.5-coder", undefined],
            ["mystery/model", undefined],
            ["llama3", undefined],
        ];
        for (const [model, env] of cases) {
            assert.equal(envVarForModel(model), env, model);
        }
    });

    it("uses apiKeyEnv whatever the provider", () => {
        assert.equal(envVarForModel("openai/gpt-4o", "CORP_LLM_KEY"), "CORP_LLM_KEY");
        assert.equal(envVarForModel("ollama/x", "CORP_LLM_KEY"), "CORP_LLM_KEY");
    });

    it("groups the models needing each key and finds the missing ones", () => {
        const needed = requiredKeys(["openai/gpt-4o", "openai/gpt-4o-mini", "anthropic/claude-3-5-haiku", "ollama/x"]);
        assert.deepEqual([...needed], [
            ["OPENAI_API_KEY", ["openai/gpt-4o", "openai/gpt-4o-mini"]],
            ["ANTHROPIC_API_KEY", ["anthropic/claude-3-5-haiku"]],
        ]);
        assert.deepEqual(missingKeys(needed.keys(), { OPENAI_API_KEY: "sk-1", ANTHROPIC_API_KEY: "" }), ["ANTHROPIC_API_KEY"]);
    });

    it("validates variable names", () => {
        assert.ok(isValidEnvName("OPENAI_API_KEY"));
        assert.ok(!isValidEnvName("1KEY"));
        assert.ok(!isValidEnvName("A B"));
        assert.ok(!isValidEnvName("X=1"));
    });
});

class MemorySecrets {
    readonly data = new Map<string, string>();
    get(key: string): Promise<string | undefined> {
        return Promise.resolve(this.data.get(key));
    }
    store(key: string, value: string): Promise<void> {
        this.data.set(key, value);
        return Promise.resolve();
    }
    delete(key: string): Promise<void> {
        this.data.delete(key);
        return Promise.resolve();
    }
}

describe("ApiKeyStore", () => {
    it("stores keys by variable and hands them over as an environment", async () => {
        const secrets = new MemorySecrets();
        const store = new ApiKeyStore(secrets as unknown as vscode.SecretStorage);
        await store.set("OPENAI_API_KEY", "sk-a");
        await store.set("ANTHROPIC_API_KEY", "sk-b");
        await store.set("OPENAI_API_KEY", "sk-c");
        assert.deepEqual(await store.names(), ["OPENAI_API_KEY", "ANTHROPIC_API_KEY"]);
        assert.deepEqual(await store.environment(), { OPENAI_API_KEY: "sk-c", ANTHROPIC_API_KEY: "sk-b" });
        await store.delete("OPENAI_API_KEY");
        assert.deepEqual(await store.environment(), { ANTHROPIC_API_KEY: "sk-b" });
        assert.equal(secrets.data.has("splice.apiKey.OPENAI_API_KEY"), false);
    });

    it("refuses a bad variable name and survives a corrupt index", async () => {
        const secrets = new MemorySecrets();
        const store = new ApiKeyStore(secrets as unknown as vscode.SecretStorage);
        await assert.rejects(store.set("NOT VALID", "x"), /not a valid environment variable name/);
        secrets.data.set("splice.apiKeyNames", "{oops");
        assert.deepEqual(await store.names(), []);
        secrets.data.set("splice.apiKeyNames", JSON.stringify(["GOOD_KEY", "bad name", 3]));
        assert.deepEqual(await store.names(), ["GOOD_KEY"]);
    });
});
