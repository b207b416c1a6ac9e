// StrykerJS for the modules whose mistakes hurt most, one run per module (scripts/mutation.sh sets
// PLATFORM_MUTATION_MODULE): each module's mutants run against the fast test that guards it.
const TAP_NODE_ARGS = ["--require", "ts-node/register/transpile-only", "--test-reporter=tap", "{{testFile}}"];
/** Mutants of `mutate` run against tests that declare in their own process, so per-test coverage applies. */
const inProcess = (mutate, testFiles) => ({ mutate, testRunner: "tap", tap: { testFiles, nodeArgs: TAP_NODE_ARGS }, coverageAnalysis: "perTest" });
const MODULES = {
    // The NSG rules against the platform's flows through an NSG model (no plan).
    network: inProcess(["components/network/rules.ts"], ["test/unit/nsgRules.ts"]),
    // Components declared on their own with the offline mocks (test/components/harness.ts).
    mesh: inProcess(["components/mesh/*.ts"], ["test/components/mesh.ts"]),
    kyverno: inProcess(["components/kyverno/*.ts"], ["test/components/kyverno.ts"]),
    gateway: inProcess(["components/gateway/*.ts"], ["test/components/gateway.ts"]),
    cluster: inProcess(["components/cluster/*.ts"], ["test/components/cluster.ts"]),
    // The policies run in the packs' own server processes, whose coverage the test process cannot report: the
    // command runner runs the whole file against every mutant (the mutant id reaches the servers in the environment).
    policies: {
        mutate: ["policies/rules/*.ts"],
        testRunner: "command",
        commandRunner: { command: "node --test --require ts-node/register/transpile-only test/unit/policies.ts test/unit/foreignStacks.ts" },
        coverageAnalysis: "off",
    },
};

const name = process.env.PLATFORM_MUTATION_MODULE ?? "network";
const module = MODULES[name];
if (!module) {
    throw new Error(`PLATFORM_MUTATION_MODULE=${name}: not one of ${Object.keys(MODULES).join(", ")}`);
}

export default {
    packageManager: "npm",
    ...module,
    concurrency: 2,
    timeoutMS: 30000,
    reporters: ["clear-text", "progress", "html", "json"],
    htmlReporter: { fileName: `reports/mutation/${name}/index.html` },
    jsonReporter: { fileName: `reports/mutation/${name}/mutation.json` },
    thresholds: { high: 90, low: 80, break: 80 },
    tempDirName: ".stryker-tmp",
    ignorePatterns: ["bin", "build", "reports", ".ci", ".stryker-tmp"],
};
