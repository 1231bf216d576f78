import { createPiiMasker, type PiiMasker } from './mask-pii.js';

/** The process-wide privacy configuration (config `privacy`), as the maskers use it. */
export interface PrivacySettings {
  /** Built-in detectors plus privacy.extraPatterns. */
  masker: PiiMasker;
  /** privacy.maskOutbound: mask outbound notification params (default true). */
  maskOutbound: boolean;
}

export interface PrivacyOptions {
  extraPatterns?: readonly string[];
  maskOutbound?: boolean;
}

const DEFAULTS: PrivacySettings = { masker: createPiiMasker(), maskOutbound: true };
let current: PrivacySettings = DEFAULTS;

/**
 * Set the process-wide privacy settings; the server calls this once at start
 * from the configuration. Process-wide on purpose: the places that mask (the
 * outbox worker, the phone normalizer, the `mask` template filter) sit deep in
 * code that has no configuration at hand, and one process serves one
 * configuration. Throws TRIAGE_CONFIG_INVALID for a bad extra pattern and then
 * changes nothing.
 */
export function configurePrivacy(options: PrivacyOptions = {}): PrivacySettings {
  current = {
    masker: (options.extraPatterns ?? []).length === 0 ? DEFAULTS.masker : createPiiMasker({ extraPatterns: options.extraPatterns }),
    maskOutbound: options.maskOutbound ?? true,
  };
  return current;
}

/** The settings in force (defaults until configurePrivacy is called). */
export function privacySettings(): PrivacySettings {
  return current;
}
