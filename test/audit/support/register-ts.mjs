// `node --import ./register-ts.mjs child.ts`: installs the hooks of ts-hooks.mjs.
import { register } from 'node:module';

register('./ts-hooks.mjs', import.meta.url);
