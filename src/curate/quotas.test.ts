/** Quotas by largest remainder, shortfalls, minimum shares and the eligibility rule, worked by hand. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FairscopeError, UsageError } from '../core/errors.js';
import { groupBounds, largestRemainder, parseShares, QuotaTracker, shortfallMessage } from './quotas.js';

test('largestRemainder: floors, then the leftover to the largest fractional parts, ties to the first', () => {
  // 10 / 3 = 3.33 each: floors 3,3,3 (9), one left -> the first group (equal remainders)
  assert.deepEqual(largestRemainder([1, 1, 1], 10), [4, 3, 3]);
  // shares 0.5, 0.3, 0.2 of 7: 3.5, 2.1, 1.4 -> floors 3, 2, 1 (6); one left -> .5 is largest
  assert.deepEqual(largestRemainder([0.5, 0.3, 0.2], 7), [4, 2, 1]);
  // 0.3 x 10 is 3.0000000000000004 in floating point: still exactly 3, no spurious remainder
  assert.deepEqual(largestRemainder([0.3, 0.7], 10), [3, 7]);
  // zero weights get nothing: 5 over weights 0, 2, 1 -> 0, 3.33, 1.67 -> 0, 3, 1 (4) + 1 to .67
  assert.deepEqual(largestRemainder([0, 2, 1], 5), [0, 3, 2]);
});

test('parseShares reads VALUE=FRACTION lists (crossed values contain "|") and rejects bad entries', () => {
  assert.deepEqual(
    [...parseShares('female|darker=0.25,male=0.75', 'shares')],
    [
      ['female|darker', 0.25],
      ['male', 0.75],
    ],
  );
  assert.throws(
    () => parseShares('a=0.5,b', 'shares'),
    /--shares: expected VALUE=FRACTION entries .* got "b"/,
  );
  assert.throws(() => parseShares('a=1.5', 'min-share'), /--min-share/);
  assert.throws(() => parseShares('a=0.5,a=0.5', 'shares'), /given twice/);
});

test('equal shares: exact quotas summing to the budget', () => {
  const b = groupBounds(['a', 'b', 'c'], [50, 50, 50], 10, { kind: 'equal' });
  assert.deepEqual(b.lower, [4, 3, 3]);
  assert.deepEqual(b.upper, [4, 3, 3]);
  assert.deepEqual(b.shortfalls, []);
});

test('a group smaller than its quota fails by default, naming it and the shortfall', () => {
  assert.throws(
    () => groupBounds(['a', 'b', 'c'], [2, 10, 10], 9, { kind: 'equal' }),
    (err: unknown) => {
      assert.ok(err instanceof FairscopeError && !(err instanceof UsageError));
      assert.equal(err.exitCode, 1);
      assert.equal(err.message, shortfallMessage([{ group: 'a', required: 3, available: 2, short: 1 }], 9));
      assert.match(err.message, /group "a" needs 3 items but has 2 \(short by 1\)/);
      return true;
    },
  );
});

test('--allow-shortfall: the small group gives all it has, the rest is split by the shares', () => {
  // quotas 3,3,3; a has 2 -> 7 left for b, c: 3.5, 3.5 -> 4, 3
  const b = groupBounds(['a', 'b', 'c'], [2, 10, 10], 9, { kind: 'equal' }, { allowShortfall: true });
  assert.deepEqual(b.lower, [2, 4, 3]);
  assert.deepEqual(b.requested, [3, 3, 3]);
  assert.deepEqual(b.shortfalls, [{ group: 'a', required: 3, available: 2, short: 1 }]);
  // cascading: shares .5/.3/.2 of 10 = 5,3,2; a has 1 -> 9 over b, c: 5.4, 3.6 -> 5, 4; c has 3 -> b gets 6
  const c = groupBounds(
    ['a', 'b', 'c'],
    [1, 20, 3],
    10,
    {
      kind: 'exact',
      shares: new Map([
        ['a', 0.5],
        ['b', 0.3],
        ['c', 0.2],
      ]),
    },
    { allowShortfall: true },
  );
  assert.deepEqual(c.lower, [1, 6, 3]);
  // not enough items in the groups with a share at all
  assert.throws(
    () => groupBounds(['a', 'b'], [1, 2], 5, { kind: 'equal' }, { allowShortfall: true }),
    /cannot fill the budget 5: the groups with a share hold only 3 items/,
  );
});

test('exact shares: unlisted groups get none; shares must sum to 1 and name existing groups', () => {
  const b = groupBounds(['a', 'b', 'c'], [9, 9, 9], 6, {
    kind: 'exact',
    shares: new Map([
      ['a', 0.5],
      ['c', 0.5],
    ]),
  });
  assert.deepEqual(b.lower, [3, 0, 3]);
  assert.throws(
    () =>
      groupBounds(['a', 'b'], [9, 9], 6, {
        kind: 'exact',
        shares: new Map([
          ['a', 0.5],
          ['b', 0.4],
        ]),
      }),
    /--shares: the shares sum to 0.9, not 1/,
  );
  assert.throws(
    () => groupBounds(['a', 'b'], [9, 9], 6, { kind: 'exact', shares: new Map([['z', 1]]) }),
    /no items in group\(s\) "z"; groups are: "a", "b"/,
  );
});

test('minimum shares: lower bounds rounded up, the rest free', () => {
  // 0.25 x 10 = 2.5 -> 3; 0.1 x 10 = 1 exactly -> 1
  const b = groupBounds(['a', 'b', 'c'], [20, 20, 20], 10, {
    kind: 'minimum',
    shares: new Map([
      ['a', 0.25],
      ['b', 0.1],
    ]),
  });
  assert.deepEqual(b.lower, [3, 1, 0]);
  assert.deepEqual(b.upper, [10, 10, 10]);
  assert.throws(
    () =>
      groupBounds(['a', 'b'], [20, 20], 3, {
        kind: 'minimum',
        shares: new Map([
          ['a', 0.5],
          ['b', 0.5],
        ]),
      }),
    /the minimums need 4 items \(each rounded up\), more than the budget 3/,
  );
  assert.throws(
    () => groupBounds(['a', 'b'], [1, 20], 10, { kind: 'minimum', shares: new Map([['a', 0.3]]) }),
    /group "a" needs 3 items but has 1 \(short by 2\)/,
  );
  const short = groupBounds(
    ['a', 'b'],
    [1, 20],
    10,
    { kind: 'minimum', shares: new Map([['a', 0.3]]) },
    { allowShortfall: true },
  );
  assert.deepEqual(short.lower, [1, 0]);
});

test('QuotaTracker: a group closes at its upper bound, and others close once only minimums can be met', () => {
  // budget 4; group 0 needs >= 2, group 1 at most 3
  const q = new QuotaTracker([2, 0], [4, 3], 4);
  assert.deepEqual([...q.open], [0, 1, 1]); // slot 0 is "excluded", always closed
  q.pick(1);
  q.pick(1); // remaining 2 == deficit 2: only group 0 may be picked now
  assert.deepEqual([...q.open], [0, 1, 0]);
  q.pick(0);
  q.pick(0);
  assert.ok(q.done);
  assert.deepEqual([...q.open], [0, 0, 0]);
  const u = QuotaTracker.unconstrained(2);
  u.pick(0);
  assert.equal(u.open[1], 1);
  u.pick(0);
  assert.equal(u.open[1], 0);
});
