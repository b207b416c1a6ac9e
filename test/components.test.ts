/**
 * The components declared on their own (test/components/), in one process: the SDK and the models load once.
 * Each suite file also runs alone (`node --test test/components/mesh.ts`), as the mutation runs do.
 */
import "./components/mesh";
import "./components/kyverno";
import "./components/gateway";
import "./components/cluster";
import "./components/siem";
import "./components/defender";
import "./components/appsecrets";
import "./components/runners";
