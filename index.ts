import { loadConfig } from "./config";
import { definePlatform } from "./platform";

// Config is read and validated before any resource is declared; the outputs become the stack outputs.
export = async () => definePlatform(loadConfig());
