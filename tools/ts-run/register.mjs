// Usage: node --conditions=@fbnas/source --import ./tools/ts-run/register.mjs script.ts
import { register } from 'node:module';

register('./hooks.mjs', import.meta.url);
