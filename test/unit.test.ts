/**
 * The suites that need no plan (test/unit/), in one process: config validation and its properties, the NSG rules,
 * the packs' fixtures through their servers, the Falco rules file, the scan's converter, the workflows, the runner image,
 * the e2e's stand-in provider and the render check's reading of manifests. Each suite file also runs alone
 * (`node --test test/unit/nsgRules.ts`), as the mutation runs do.
 */
import "./unit/config";
import "./unit/properties";
import "./unit/ruleProperties";
import "./unit/nsgRules";
import "./unit/policies";
import "./unit/foreignStacks";
import "./unit/policyKinds";
import "./unit/falcoRules";
import "./unit/pkcs12";
import "./unit/scanShapes";
import "./unit/workflows";
import "./unit/docs";
import "./unit/runnerImage";
import "./unit/renderCheck";
import "./unit/standins";
