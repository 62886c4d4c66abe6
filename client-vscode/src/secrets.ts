/**
 * API keys: which environment variable a model's provider reads, and a SecretStorage-backed store whose keys
 * reach the server only through its process environment (never settings.json, never initializationOptions).
 */

import type * as vscode from "vscode";

/** Provider prefix (litellm's `provider/model`) → the variable litellm reads for its key. */
const PROVIDER_ENV: Readonly<Record<string, string>> = {
    openai: "OPENAI_API_KEY",
    text_completion_openai: "OPENAI_API_KEY",
    anthropic: "ANTHROPIC_API_KEY",
    gemini: "GEMINI_API_KEY",
    mistral: "MISTRAL_API_KEY",
    codestral: "CODESTRAL_API_KEY",
    groq: "GROQ_API_KEY",
    deepseek: "DEEPSEEK_API_KEY",
    openrouter: "OPENROUTER_API_KEY",
    azure: "AZURE_API_KEY",
    azure_ai: "AZURE_AI_API_KEY",
    cohere: "COHERE_API_KEY",
    cohere_chat: "COHERE_API_KEY",
    together_ai: "TOGETHERAI_API_KEY",
    xai: "XAI_API_KEY",
    fireworks_ai: "FIREWORKS_AI_API_KEY",
    perplexity: "PERPLEXITYAI_API_KEY",
    deepinfra: "DEEPINFRA_API_KEY",
};

/** Providers that run locally and take no key. */
const KEYLESS = new Set(["ollama", "ollama_chat", "lm_studio", "hosted_vllm", "llamafile"]);

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The environment variable holding the key for `model`: `apiKeyEnv` when set, else the provider's
 * (from the `provider/` prefix, or the model family for bare OpenAI and Anthropic names); undefined when the
 * model needs no key or the provider is unknown.
 */
export function envVarForModel(model: string, apiKeyEnv?: string | null): string | undefined {
    if (apiKeyEnv) {
        return apiKeyEnv;
    }
    const slash = model.indexOf("/");
    if (slash > 0) {
        const provider = model.slice(0, slash).toLowerCase();
        return KEYLESS.has(provider) ? undefined : PROVIDER_ENV[provider];
    }
    const bare = model.toLowerCase();
    if (/^(gpt-|o\d|chatgpt-|text-embedding-)/.test(bare)) {
        return "OPENAI_API_KEY";
    }
    if (bare.startsWith("claude-")) {
        return "ANTHROPIC_API_KEY";
    }
    return undefined;
}

/** The distinct variables the configured models need, each with the models that need it. */
export function requiredKeys(models: readonly string[], apiKeyEnv?: string | null): Map<string, string[]> {
    const needed = new Map<string, string[]>();
    for (const model of models) {
        const env = envVarForModel(model, apiKeyEnv);
        if (env !== undefined) {
            needed.set(env, [...(needed.get(env) ?? []), model]);
        }
    }
    return needed;
}

/** Variables in `required` that neither the inherited environment nor the stored secrets provide. */
export function missingKeys(required: Iterable<string>, env: Readonly<Record<string, string | undefined>>): string[] {
    return [...required].filter((name) => !env[name]);
}

export function isValidEnvName(name: string): boolean {
    return ENV_NAME.test(name);
}

const NAMES_KEY = "splice.apiKeyNames";
const keyFor = (envName: string): string => `splice.apiKey.${envName}`;

/** Keys in VS Code's SecretStorage (the OS keychain), indexed by environment variable name. */
export class ApiKeyStore {
    constructor(private readonly secrets: vscode.SecretStorage) {}

    async names(): Promise<string[]> {
        const raw = await this.secrets.get(NAMES_KEY);
        if (!raw) {
            return [];
        }
        try {
            const parsed: unknown = JSON.parse(raw);
            return Array.isArray(parsed) ? parsed.filter((n): n is string => typeof n === "string" && isValidEnvName(n)) : [];
        } catch {
            return [];
        }
    }

    async set(envName: string, key: string): Promise<void> {
        if (!isValidEnvName(envName)) {
            throw new Error(`"${envName}" is not a valid environment variable name`);
        }
        await this.secrets.store(keyFor(envName), key);
        const names = await this.names();
        if (!names.includes(envName)) {
            await this.secrets.store(NAMES_KEY, JSON.stringify([...names, envName]));
        }
    }

    async delete(envName: string): Promise<void> {
        await this.secrets.delete(keyFor(envName));
        const names = (await this.names()).filter((n) => n !== envName);
        await this.secrets.store(NAMES_KEY, JSON.stringify(names));
    }

    /** `{ENV_NAME: key}` for every stored key, to merge into the server's environment. */
    async environment(): Promise<Record<string, string>> {
        const env: Record<string, string> = {};
        for (const name of await this.names()) {
            const value = await this.secrets.get(keyFor(name));
            if (value) {
                env[name] = value;
            }
        }
        return env;
    }
}
