import { z } from 'zod';
import type { LaunchConfigurationInput, LaunchConfigurationReplacement } from '../services/launch-configurations.service';
import { lenientBoolean, lenientInt, resourceName } from './lenient.schemas';

export const CONTEXTUALIZATION_METHODS = ['none', 'user_data', 'chef'] as const;
const MAX_SITES_PER_LC = 64;
const USER_DATA_MAX_BYTES = 64 * 1024;
const CHEF_JSON_MAX_CHARS = 64 * 1024;
const MAX_VMS_LIMIT = 100_000;

const cloudParam = z.object({
  image_id: z.string({ error: 'required' }).min(1, { error: 'required' }).max(256, { error: 'must be at most 256 characters' }),
  instance_type: z.string({ error: 'required' }).min(1, { error: 'required' }).max(64, { error: 'must be at most 64 characters' }),
  max_vms: lenientInt(-1, MAX_VMS_LIMIT),
  common: lenientBoolean(),
  rank: lenientInt(1, MAX_SITES_PER_LC),
});

// The original's clients sent chef_runlist and chef_attributes as JSON-encoded strings; a client that
// sends the decoded value is accepted too, and it is stored encoded.
const chefJson = z.preprocess(
  (v) => (v !== null && typeof v === 'object' ? JSON.stringify(v) : v),
  z.string({ error: 'must be a JSON-encoded string' }).max(CHEF_JSON_MAX_CHARS, { error: `must be at most ${CHEF_JSON_MAX_CHARS} characters` }),
);

/** Empty strings and nulls count as "not given": forms and round-tripped bodies send them. */
function given(v: string | null | undefined): v is string {
  return v !== undefined && v !== null && v !== '';
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

type Ctx = z.RefinementCtx;

function checkChefFields(runlist: string, attributes: string, ctx: Ctx): void {
  const rl = parseJson(runlist);
  if (!rl.ok || !Array.isArray(rl.value) || !rl.value.every((r) => typeof r === 'string')) {
    ctx.addIssue({ code: 'custom', path: ['chef_runlist'], message: 'must be a JSON-encoded list of strings, e.g. ["recipe[apache2]"]' });
  }
  const at = parseJson(attributes);
  if (!at.ok || at.value === null || typeof at.value !== 'object' || Array.isArray(at.value)) {
    ctx.addIssue({ code: 'custom', path: ['chef_attributes'], message: 'must be a JSON-encoded object, e.g. {"key": "value"}' });
  }
}

function makeBody<N extends z.ZodType<string | undefined>>(name: N) {
  return z
    .object({
      name,
      contextualization_method: z.preprocess(
        (v) => (typeof v === 'string' ? v.toLowerCase() : v),
        z.enum(CONTEXTUALIZATION_METHODS, { error: 'must be one of none, user_data, chef' }),
      ).default('none'),
      user_data: z
        .string({ error: 'must be a string' })
        .refine((s) => Buffer.byteLength(s, 'utf8') <= USER_DATA_MAX_BYTES, { error: `must be at most ${USER_DATA_MAX_BYTES} bytes` })
        .nullish(),
      chef_runlist: chefJson.nullish(),
      chef_attributes: chefJson.nullish(),
      cloud_params: z
        .record(z.string().min(1).max(64), cloudParam, { error: 'required: an object mapping site ids to {image_id, instance_type, max_vms, common, rank}' })
        .refine((m) => Object.keys(m).length >= 1, { error: 'must name at least one site' })
        .refine((m) => Object.keys(m).length <= MAX_SITES_PER_LC, { error: `must name at most ${MAX_SITES_PER_LC} sites` }),
    })
    .superRefine((b, ctx) => {
      const method = b.contextualization_method;
      if (given(b.user_data) && method !== 'user_data') {
        ctx.addIssue({ code: 'custom', path: ['user_data'], message: 'is only allowed with contextualization_method user_data' });
      }
      if (method === 'user_data' && !given(b.user_data)) {
        ctx.addIssue({ code: 'custom', path: ['user_data'], message: 'required with contextualization_method user_data' });
      }
      for (const f of ['chef_runlist', 'chef_attributes'] as const) {
        if (given(b[f]) && method !== 'chef') {
          ctx.addIssue({ code: 'custom', path: [f], message: 'is only allowed with contextualization_method chef' });
        }
      }
      if (method === 'chef') checkChefFields(b.chef_runlist || '[]', b.chef_attributes || '{}', ctx);
      const siteByRank = new Map<number, string>();
      for (const [site, p] of Object.entries(b.cloud_params)) {
        const other = siteByRank.get(p.rank);
        if (other !== undefined) {
          ctx.addIssue({ code: 'custom', path: ['cloud_params', site, 'rank'], message: `rank ${p.rank} is also used by site ${other}; ranks must be distinct` });
        }
        siteByRank.set(p.rank, site);
      }
    });
}

type Body = Omit<z.output<ReturnType<typeof makeBody<typeof resourceName>>>, 'name'>;

function toInput(b: Body): Omit<LaunchConfigurationInput, 'name'> {
  const method = b.contextualization_method;
  return {
    contextualizationMethod: method,
    userData: method === 'user_data' ? (b.user_data ?? null) : null,
    chefRunlist: method === 'chef' ? b.chef_runlist || '[]' : null,
    chefAttributes: method === 'chef' ? b.chef_attributes || '{}' : null,
    sites: Object.entries(b.cloud_params).map(([siteId, p]) => ({
      siteId,
      imageId: p.image_id,
      instanceType: p.instance_type,
      maxVms: p.max_vms,
      common: p.common,
      rank: p.rank,
    })),
  };
}

/** POST body; read-only fields a client echoes back (id, owner, uri, run_list, attributes) are ignored. */
export const createLaunchConfigurationBody = makeBody(resourceName).transform((b): LaunchConfigurationInput => ({ ...toInput(b), name: b.name }));

/** PUT body: the whole configuration, replacing the stored one; `name` may be left out to keep it. */
export const replaceLaunchConfigurationBody = makeBody(resourceName.optional()).transform(
  (b): LaunchConfigurationReplacement => ({ ...toInput(b), ...(b.name === undefined ? {} : { name: b.name }) }),
);
