/**
 * What a policy judges: a resource kind by every type token it can be declared with. The engine hands a policy
 * the resource's `type`; @pulumi/policy's validateResourceOfType compares it with one class's token, which misses
 * the same resource declared any other way. So the policies name kinds:
 * - an azure-native resource in its SDK module and in every explicit API version
 *   (`azure-native:storage/v20230501:StorageAccount`: azure-native 2.x's versioned modules, a local SDK from
 *   `pulumi package add azure-native <module> <version>`, and the SDK's own aliases, which also name the modules a
 *   resource moved from, e.g. `azure-native:cache:Redis`);
 * - a Kubernetes kind in each API version, however it is declared: @pulumi/kubernetes classes, CustomResource, a
 *   crd2pulumi class, or an object a Helm chart or YAML group renders all register as `kubernetes:<group>/<version>:<Kind>`.
 * Policies read only type strings and the SDKs' types and enums (no SDK class at run time), so the published packs
 * depend on @pulumi/policy alone.
 */
import type { PolicyResource, ReportViolation, ResourceValidation, ResourceValidationArgs } from "@pulumi/policy";
import type { Unwrap } from "@pulumi/pulumi";

// The analyzer's own error for a value it cannot know in a preview: a stack policy that throws it is reported
// advisory ("can't run policy ... during preview") instead of passing (@pulumi/policy server.js analyzeStack).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { UnknownValueError, unknownStringValue } = require("@pulumi/policy/proxy") as { UnknownValueError: new (sentinel: unknown, path: string[]) => Error; unknownStringValue: unknown };

/** A resource kind and the shape of its properties (`T` only types the checks). */
export interface Kind<T> {
    /** The token the SDK declares it with today, e.g. azure-native:storage:StorageAccount. */
    readonly token: string;
    matches(type: string): boolean;
    /** Never set: carries `T`. */
    readonly props?: T;
}

const AZURE_NATIVE_TOKEN = /^azure-native:([a-z0-9]+):([A-Za-z0-9]+)$/;
const AZURE_NATIVE_KINDS: Kind<unknown>[] = [];

/**
 * An azure-native resource (its Args as the properties' shape) by its SDK token, in any API version of its module and
 * of the modules it moved from (`formerModules`, from the SDK's alias list: test/unit/policyKinds.ts holds them to it).
 */
export function azureNative<TArgs>(token: string, formerModules: readonly string[] = []): Kind<Unwrap<TArgs>> {
    const [, module, resource] = AZURE_NATIVE_TOKEN.exec(token) ?? [];
    if (!module || !resource) {
        throw new Error(`${token} is not an azure-native type token`);
    }
    // API version modules are v<yyyymmdd> with an optional suffix (v20230501preview, v20220308privatepreview).
    const pattern = new RegExp(`^azure-native:(?:${[module, ...formerModules].join("|")})(?:/v\\d{8}[a-z]*)?:${resource}$`);
    const kind: Kind<Unwrap<TArgs>> = { token, matches: (type) => pattern.test(type) };
    AZURE_NATIVE_KINDS.push(kind);
    return kind;
}

/** Every azure-native kind the loaded policies judge. */
export function azureNativeKinds(): readonly Kind<unknown>[] {
    return AZURE_NATIVE_KINDS;
}

/** The API version a versioned token names ("2019-04-01"); undefined for the SDK's default version. */
export function apiVersionOf(type: string): string | undefined {
    const match = /^azure-native:[a-z0-9]+\/v(\d{4})(\d{2})(\d{2})[a-z]*:/.exec(type);
    return match ? `${match[1]}-${match[2]}-${match[3]}` : undefined;
}

/** Whether a resource is declared with an API version older than `version` (the SDK's default versions are newer than any date checked here). */
export function olderApiThan(type: string, version: string): boolean {
    const declared = apiVersionOf(type);
    return declared !== undefined && declared < version;
}

/** A resource a provider declares under one token only (e.g. tls:index/privateKey:PrivateKey). */
export function resourceType<T>(token: string): Kind<T> {
    return { token, matches: (type) => type === token };
}

/** A Kubernetes kind in the listed API versions (`core` is the core group, as in kubernetes:core/v1:ConfigMap). */
export function kubernetes<T>(group: string, kind: string, versions: readonly string[]): Kind<T> {
    const tokens = versions.map((v) => `kubernetes:${group}/${v}:${kind}`);
    return { token: tokens[0]!, matches: (type) => tokens.includes(type) };
}

/** A resource policy's check of the listed kinds (pass several kinds of one shape, or call once per shape). */
export function validate<T>(kinds: Kind<T> | readonly Kind<T>[], check: (props: T, report: ReportViolation, args: ResourceValidationArgs) => void): ResourceValidation {
    const all = Array.isArray(kinds) ? kinds : [kinds as Kind<T>];
    return (args, report) => {
        if (all.some((k) => k.matches(args.type))) {
            check(args.props as T, report, args);
        }
    };
}

/** A stack's resources of the listed kinds. */
export function ofKind(resources: readonly PolicyResource[], ...kinds: Kind<unknown>[]): PolicyResource[] {
    return resources.filter((r) => kinds.some((k) => k.matches(r.type)));
}

const KUBERNETES_COMPONENT = /^kubernetes:(?:yaml|kustomize)|^kubernetes:helm\.sh\/v[34]:Chart$/;

/**
 * Stack policies see outputs. Kubernetes resources created under a provider whose config is still unknown (a fresh
 * cluster, a replaced one) have none in a preview: a stack policy over them cannot tell, and says so (advisory)
 * instead of passing. YAML and kustomize groups and Helm charts are components, with no outputs of their own.
 */
export function refuseBlindPreview(resources: readonly PolicyResource[], what: string): void {
    const blind = resources.filter((r) => r.type.startsWith("kubernetes:") && !KUBERNETES_COMPONENT.test(r.type) && Object.keys(r.props).length === 0);
    if (blind.length > 0) {
        throw new UnknownValueError(unknownStringValue, [`outputs of ${blind.length} Kubernetes resources (${blind[0]!.name}, ...); ${what}`]);
    }
}
