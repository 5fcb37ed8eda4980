// The standard tcollector metrics the original Phantom offered for scaling (its OPENTSDB_METRICS:
// 68 names), grouped as docs/original-phantom.md §2 lists them. Any other metric a VM reports is
// added to the catalog as it is seen (the SensorMetric table).

const family = (prefix: string, names: string[]): string[] => names.map((n) => `${prefix}.${n}`);

export const STANDARD_METRICS: readonly string[] = Object.freeze([
  ...family('df.1kblocks', ['free', 'total', 'used']),
  ...family('df.inodes', ['free', 'total', 'used']),
  ...family('iostat.part', [
    'ios_in_progress',
    'msec_read',
    'msec_total',
    'msec_weighted_total',
    'msec_write',
    'read_merged',
    'read_requests',
    'read_sectors',
    'write_merged',
    'write_requests',
    'write_sectors',
  ]),
  ...family('net.sockstat', ['ipfragqueues', 'memory', 'num_orphans', 'num_sockets', 'num_timewait', 'sockets_inuse']),
  ...family('net.stat.tcp', [
    'abort',
    'abort.failed',
    'congestion.recovery',
    'delayedack',
    'failed_accept',
    'memory.pressure',
    'memory.prune',
    'packetloss.recovery',
    'reording',
    'syncookies',
  ]),
  ...family('proc.net', ['bytes', 'dropped', 'errs', 'packets', 'tcp']),
  'proc.kernel.entropy_avail',
  ...family('proc.loadavg', ['1min', '5min', '15min', 'runnable', 'total_threads']),
  // tcollector's procstats emits every /proc/meminfo line lower-cased; these are the 19 common ones.
  ...family('proc.meminfo', [
    'memtotal',
    'memfree',
    'buffers',
    'cached',
    'swapcached',
    'active',
    'inactive',
    'swaptotal',
    'swapfree',
    'dirty',
    'writeback',
    'anonpages',
    'mapped',
    'slab',
    'sreclaimable',
    'sunreclaim',
    'pagetables',
    'commitlimit',
    'committed_as',
  ]),
  ...family('tcollector.collector', ['lines_sent', 'lines_received', 'lines_invalid']),
  ...family('tcollector.reader', ['lines_collected', 'lines_dropped']),
]);
