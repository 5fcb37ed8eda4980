// EC2 Query API response bodies, with the element names real EC2 sends (API version 2016-11-15),
// so the SDK's own deserializer is what the ec2 driver's tests exercise.
export const EC2_XMLNS = 'http://ec2.amazonaws.com/doc/2016-11-15/';

export interface XmlInstance {
  instanceId: string;
  imageId: string;
  instanceType: string;
  keyName?: string;
  state: { code: number; name: string };
  stateReason?: { code: string; message: string };
  privateIp: string;
  privateDnsName: string;
  publicIp?: string;
  dnsName?: string;
  launchTime: Date;
  clientToken?: string;
  tags: Record<string, string>;
}

export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** `<name>text</name>`, or `<name/>` when empty, as EC2 writes absent values. */
export function el(name: string, text: string | number | boolean | undefined): string {
  return text === undefined || text === '' ? `<${name}/>` : `<${name}>${esc(String(text))}</${name}>`;
}

/** `<name>…children…</name>`, children already rendered. */
export function node(name: string, ...children: string[]): string {
  return `<${name}>${children.join('')}</${name}>`;
}

export function itemSet(name: string, items: string[]): string {
  return items.length === 0 ? `<${name}/>` : node(name, ...items.map((i) => node('item', i)));
}

export function responseDoc(action: string, requestId: string, ...children: string[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${EC2_XMLNS}">${el('requestId', requestId)}${children.join('')}</${action}Response>`;
}

export function errorDoc(code: string, message: string, requestId: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Response>${node('Errors', node('Error', el('Code', code), el('Message', message)))}${el('RequestID', requestId)}</Response>`;
}

export function stateXml(name: string, state: { code: number; name: string }): string {
  return node(name, el('code', state.code), el('name', state.name));
}

export function instanceXml(i: XmlInstance): string {
  return [
    el('instanceId', i.instanceId),
    el('imageId', i.imageId),
    stateXml('instanceState', i.state),
    el('privateDnsName', i.privateDnsName),
    el('dnsName', i.dnsName),
    el('reason', i.stateReason ? `${i.stateReason.message}` : undefined),
    el('keyName', i.keyName),
    el('amiLaunchIndex', 0),
    '<productCodes/>',
    el('instanceType', i.instanceType),
    el('launchTime', i.launchTime.toISOString()),
    node('placement', el('availabilityZone', 'us-east-1a'), '<groupName/>', el('tenancy', 'default')),
    node('monitoring', el('state', 'disabled')),
    el('privateIpAddress', i.privateIp),
    el('ipAddress', i.publicIp),
    i.stateReason ? node('stateReason', el('code', i.stateReason.code), el('message', i.stateReason.message)) : '',
    el('architecture', 'x86_64'),
    el('rootDeviceType', 'ebs'),
    el('clientToken', i.clientToken),
    itemSet('tagSet', Object.entries(i.tags).map(([k, v]) => el('key', k) + el('value', v))),
    el('hypervisor', 'xen'),
  ].join('');
}

export function reservationXml(reservationId: string, ownerId: string, instances: XmlInstance[]): string {
  return el('reservationId', reservationId) + el('ownerId', ownerId) + '<groupSet/>' + itemSet('instancesSet', instances.map(instanceXml));
}
