import { ContextualizationError, userDataFor, type LaunchContext } from '../../../src/engine/contextualization';

const base: LaunchContext = { contextualizationMethod: 'none', userData: null, chefRunlist: null, chefAttributes: null };
const chef = { serverUrl: 'https://chef.example.org/organizations/acme', validationClientName: 'acme-validator', validatorKey: '-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----' };
const ID = '3f0c6a36-3d6f-4f51-9a83-5b2b3f1c2d11';

/** The body of the heredoc writing `path`. */
function fileIn(script: string, path: string): string {
  const m = new RegExp(`cat > ${path} <<'(\\w+)'\\n([\\s\\S]*?)\\n\\1\\n`).exec(script);
  if (!m) throw new Error(`no ${path} in script`);
  return m[2];
}

describe('contextualization', () => {
  it('gives no user data for none', () => {
    expect(userDataFor(base, ID, chef)).toBeUndefined();
  });

  it('passes user_data verbatim', () => {
    const text = '#!/bin/sh\necho "$HOME" \'quoted\'\n';
    expect(userDataFor({ ...base, contextualizationMethod: 'user_data', userData: text }, ID, null)).toBe(text);
  });

  describe('chef', () => {
    const lc: LaunchContext = { ...base, contextualizationMethod: 'chef', chefRunlist: '["recipe[apache2]","role[web]"]', chefAttributes: '{"apache":{"port":8080}}' };
    const script = userDataFor(lc, ID, chef) ?? '';

    it('is a bash script that installs and runs chef-client', () => {
      expect(script.startsWith('#!/bin/bash\n')).toBe(true);
      expect(script).toMatch(/command -v chef-client .*\|\| curl -fsSL https:\/\/omnitruck\.chef\.io\/install\.sh \| bash/);
      expect(script.indexOf('chef-client -j /etc/chef/first-boot.json')).toBeGreaterThan(script.indexOf('install.sh'));
    });

    it('writes the validator key, client.rb and first-boot.json', () => {
      expect(fileIn(script, '/etc/chef/validation.pem')).toBe(chef.validatorKey);
      expect(script).toContain('chmod 600 /etc/chef/validation.pem');
      const clientRb = fileIn(script, '/etc/chef/client.rb');
      expect(clientRb).toContain(`chef_server_url '${chef.serverUrl}'`);
      expect(clientRb).toContain("validation_client_name 'acme-validator'");
      expect(clientRb).toContain(`node_name '${ID}'`);
      expect(JSON.parse(fileIn(script, '/etc/chef/first-boot.json'))).toEqual({ apache: { port: 8080 }, run_list: ['recipe[apache2]', 'role[web]'] });
    });

    it('quotes values so nothing in them is interpolated or ends a heredoc early', () => {
      const tricky = { ...chef, validationClientName: "it's #{evil}", validatorKey: 'line\nPHANTOM_EOF\n$(reboot)' };
      const out = userDataFor(lc, ID, tricky) ?? '';
      expect(fileIn(out, '/etc/chef/client.rb')).toContain("validation_client_name 'it\\'s #{evil}'");
      expect(fileIn(out, '/etc/chef/validation.pem')).toBe(tricky.validatorKey);
    });

    it('defaults to an empty run list and no attributes', () => {
      const out = userDataFor({ ...base, contextualizationMethod: 'chef' }, ID, chef) ?? '';
      expect(JSON.parse(fileIn(out, '/etc/chef/first-boot.json'))).toEqual({ run_list: [] });
    });

    it.each([
      [{ ...lc }, null, /no chef credential/],
      [{ ...lc, chefRunlist: 'not json' }, chef, /chef_runlist is not valid JSON/],
      [{ ...lc, chefRunlist: '{"a":1}' }, chef, /JSON array of strings/],
      [{ ...lc, chefAttributes: '[1]' }, chef, /JSON object/],
    ])('refuses what it cannot contextualise (%#)', (ctx, creds, message) => {
      expect(() => userDataFor(ctx, ID, creds)).toThrow(ContextualizationError);
      expect(() => userDataFor(ctx, ID, creds)).toThrow(message);
    });
  });
});
