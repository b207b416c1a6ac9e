/**
 * Kyverno rules over application namespaces (every namespace the platform or AKS does not own), shared by the
 * components that keep something in each: Kyverno's NetworkPolicies, the mesh's AuthorizationPolicy.
 */
import type { Models } from "./customResources";

/** One rule of a `kyverno.io/v1` ClusterPolicy, as its typed model takes it. */
export type Rule = NonNullable<NonNullable<NonNullable<ConstructorParameters<Models["ClusterPolicy"]>[0]>["spec"]>["rules"]>[number];

/** What a policy generates in every application namespace: one object, by its kind, name and content. */
export interface GeneratedObject {
    apiVersion: string;
    kind: string;
    name: string;
    /** The object's content beyond its metadata (`spec`, for the kinds the platform generates). */
    data: Record<string, unknown>;
}

/** A rule's exclusion of the platform's namespaces: what is left are the application namespaces. */
export function outsidePlatform(platformNamespaces: string[]): Pick<Rule, "exclude"> {
    return { exclude: { any: [{ resources: { namespaces: platformNamespaces } }] } };
}

/**
 * A generate rule that keeps `object` in every application namespace (every namespace the platform does not own),
 * in step with the policy: a changed or deleted copy comes back (`synchronize`), and namespaces that exist when the
 * policy is created get one too (`generateExisting`, per rule since Kyverno 1.13; kyverno.io/docs generate rules).
 * With `optOut`, namespaces carrying that label get none.
 */
export function applicationNamespaceRule(object: GeneratedObject, platformNamespaces: string[], optOut?: { label: string; value: string }): Rule {
    const { exclude } = outsidePlatform(platformNamespaces);
    return {
        name: `${object.name}-in-every-application-namespace`,
        match: { any: [{ resources: { kinds: ["Namespace"] } }] },
        // A namespace labelled to opt out keeps its own object of this kind instead (a Namespace's selector matches its own labels).
        exclude: optOut ? { any: [...exclude!.any!, { resources: { selector: { matchLabels: { [optOut.label]: optOut.value } } } }] } : exclude,
        generate: {
            apiVersion: object.apiVersion,
            kind: object.kind,
            name: object.name,
            namespace: "{{request.object.metadata.name}}",
            synchronize: true,
            generateExisting: true,
            data: object.data,
        },
    };
}
