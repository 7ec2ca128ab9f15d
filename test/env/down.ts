// `npm run env:down`: stop everything env:up started; harmless when nothing runs.
import { stopStack } from "./stack.ts";

stopStack()
  .then((stopped) => console.log(stopped ? "env: stopped" : "env: nothing was running"))
  .catch((error: Error) => {
    console.error(`env:down failed: ${error.message}`);
    process.exit(1);
  });
