/**
 * The `splice.*` settings: one table (kept equal to package.json's contributes.configuration by a test), the
 * validation that turns a bad value into a warning, and the nested camelCase object the server receives.
 *
 * Only values the user actually set are sent: the server layers editor settings over pyproject.toml and
 * `.splice/config.toml`, so sending the package.json defaults would silently override those files.
 */

export type SettingType = "string" | "nullableString" | "number" | "nullableNumber" | "integer" | "boolean" | "stringArray";

export interface SettingSpec {
    type: SettingType;
    default: unknown;
    minimum?: number;
    maximum?: number;
    enum?: readonly string[];
    /** Client-only settings are never sent to the server. */
    clientOnly?: boolean;
    /** Ignored at workspace level in an untrusted workspace (package.json restrictedConfigurations). */
    restricted?: boolean;
}

export const SECTION = "splice";
export const REVIEW_MODES = ["auto", "inline", "refactorPreview", "message"] as const;
export type ReviewMode = (typeof REVIEW_MODES)[number];

/** Keys are relative to `splice.`; every key here has a package.json entry with a description. */
export const SETTINGS: Readonly<Record<string, SettingSpec>> = {
    "server.python": { type: "string", default: "", clientOnly: true, restricted: true },
    model: { type: "nullableString", default: null, restricted: true },
    "models.generate": { type: "nullableString", default: null, restricted: true },
    "models.explain": { type: "nullableString", default: null, restricted: true },
    "models.migrate": { type: "nullableString", default: null, restricted: true },
    "models.review": { type: "nullableString", default: null, restricted: true },
    apiBase: { type: "nullableString", default: null, restricted: true },
    apiKeyEnv: { type: "nullableString", default: null, restricted: true },
    temperature: { type: "number", default: 0.2, minimum: 0, maximum: 2 },
    maxTokens: { type: "integer", default: 4096, minimum: 1 },
    timeout: { type: "number", default: 120, minimum: 1 },
    connectTimeout: { type: "number", default: 5, minimum: 0.1 },
    firstTokenTimeout: { type: "number", default: 10, minimum: 0.1 },
    concurrency: { type: "integer", default: 8, minimum: 1 },
    maxRetries: { type: "integer", default: 3, minimum: 0 },
    exclude: { type: "stringArray", default: [] },
    "index.maxFileSize": { type: "integer", default: 1_000_000, minimum: 1 },
    "context.budget": { type: "integer", default: 4000, minimum: 1 },
    "embeddings.model": { type: "string", default: "wordllama", restricted: true },
    "cache.enabled": { type: "boolean", default: true },
    "cache.redisUrl": { type: "nullableString", default: null, restricted: true },
    "budget.perRequest": { type: "nullableNumber", default: null, minimum: 0 },
    "budget.daily": { type: "nullableNumber", default: null, minimum: 0 },
    "verify.command": { type: "nullableString", default: null, restricted: true },
    "verify.maxRounds": { type: "integer", default: 3, minimum: 0 },
    "verify.timeout": { type: "number", default: 120, minimum: 1 },
    "review.mode": { type: "string", default: "auto", enum: REVIEW_MODES },
    "review.agent": { type: "boolean", default: false },
};

/** What VS Code's `WorkspaceConfiguration.inspect(key)` tells about one key (the subset we use). */
export interface InspectedValue {
    globalValue?: unknown;
    workspaceValue?: unknown;
    workspaceFolderValue?: unknown;
}

export type Inspector = (key: string) => InspectedValue | undefined;

export interface ReadSettings {
    /** Nested camelCase object of the explicitly set, valid, server-side values. */
    server: Record<string, unknown>;
    /** Effective value of every key (explicit when valid, else the default), for the client's own use. */
    values: Record<string, unknown>;
    /** One human-readable sentence per rejected value. */
    problems: string[];
}

/** Reads every setting through `inspect`, validating each; bad values become problems and fall back to defaults. */
export function readSettings(inspect: Inspector, workspaceTrusted: boolean): ReadSettings {
    const server: Record<string, unknown> = {};
    const values: Record<string, unknown> = {};
    const problems: string[] = [];
    for (const [key, spec] of Object.entries(SETTINGS)) {
        const info = inspect(key) ?? {};
        const useWorkspace = workspaceTrusted || !spec.restricted;
        const explicit = useWorkspace
            ? firstDefined(info.workspaceFolderValue, info.workspaceValue, info.globalValue)
            : info.globalValue;
        values[key] = spec.default;
        if (explicit === undefined) {
            continue;
        }
        const error = validate(spec, explicit);
        if (error !== undefined) {
            problems.push(
                `Setting "${SECTION}.${key}" = ${JSON.stringify(explicit)} is invalid (${error}); ` +
                    `using the default ${JSON.stringify(spec.default)}.`,
            );
            continue;
        }
        values[key] = explicit;
        if (!spec.clientOnly) {
            setNested(server, key, explicit);
        }
    }
    return { server, values, problems };
}

/** Returns why `value` does not fit `spec`, or undefined when it does. */
export function validate(spec: SettingSpec, value: unknown): string | undefined {
    switch (spec.type) {
        case "string":
        case "nullableString":
            if (value === null && spec.type === "nullableString") {
                return undefined;
            }
            if (typeof value !== "string") {
                return spec.type === "string" ? "expected a string" : "expected a string or null";
            }
            if (spec.enum && !spec.enum.includes(value)) {
                return `expected one of ${spec.enum.join(", ")}`;
            }
            return undefined;
        case "number":
        case "nullableNumber":
        case "integer":
            if (value === null && spec.type === "nullableNumber") {
                return undefined;
            }
            if (typeof value !== "number" || !Number.isFinite(value)) {
                return spec.type === "nullableNumber" ? "expected a number or null" : "expected a number";
            }
            if (spec.type === "integer" && !Number.isInteger(value)) {
                return "expected a whole number";
            }
            return rangeError(spec, value);
        case "boolean":
            return typeof value === "boolean" ? undefined : "expected true or false";
        case "stringArray":
            return Array.isArray(value) && value.every((v) => typeof v === "string")
                ? undefined
                : "expected a list of glob patterns (strings)";
    }
}

function rangeError(spec: SettingSpec, value: number): string | undefined {
    if (spec.minimum !== undefined && value < spec.minimum) {
        return `expected at least ${spec.minimum}`;
    }
    if (spec.maximum !== undefined && value > spec.maximum) {
        return `expected at most ${spec.maximum}`;
    }
    return undefined;
}

function firstDefined(...candidates: unknown[]): unknown {
    return candidates.find((v) => v !== undefined);
}

/** `setNested(o, "budget.daily", 2)` → `o.budget.daily = 2`. */
export function setNested(target: Record<string, unknown>, dotted: string, value: unknown): void {
    const parts = dotted.split(".");
    let node = target;
    for (const part of parts.slice(0, -1)) {
        const next = node[part];
        if (typeof next !== "object" || next === null) {
            node[part] = {};
        }
        node = node[part] as Record<string, unknown>;
    }
    node[parts[parts.length - 1]] = value;
}

/** Every model string the settings name (the main model and the per-feature ones), deduplicated, in order. */
export function configuredModels(values: Record<string, unknown>): string[] {
    const keys = ["model", "models.generate", "models.explain", "models.migrate", "models.review"];
    const models = keys.map((k) => values[k]).filter((m): m is string => typeof m === "string" && m.length > 0);
    return [...new Set(models)];
}

/** True when a configuration change touches a setting that needs a new server process (not just new settings). */
export function needsRestart(affects: (section: string) => boolean): boolean {
    return affects(`${SECTION}.server`);
}
