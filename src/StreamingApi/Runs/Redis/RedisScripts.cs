using System.Security.Cryptography;
using System.Text;
using StackExchange.Redis;

namespace StreamingApi.Runs.Redis;

/// <summary>The Lua that must run atomically in Redis.</summary>
internal static class RedisScripts
{
    /// <summary>
    /// <see cref="AppendEvents"/>'s SHA-1, by which the writer calls it on every turn (EVALSHA): the client then neither
    /// looks the script's text up in its cache nor wraps the call to load it. Should Redis not know it (restarted, or its
    /// scripts flushed), the call fails with <see cref="IsUnknown"/> and is made again with the text.
    /// </summary>
    public static readonly byte[] AppendEventsHash = SHA1.HashData(Encoding.UTF8.GetBytes(AppendEvents));

    /// <summary>Whether Redis refused a call by hash because it does not know the script (<c>NOSCRIPT</c>); the call did nothing.</summary>
    public static bool IsUnknown(Exception exception) =>
        exception is RedisServerException && exception.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal);

    /// <summary>
    /// Fails a running run once: adds <c>error</c> and <c>done</c> after the stream's last entry, sets the record's
    /// status and reason, lets the run's keys expire after the retention, and tells readers. The snapshot is left as
    /// it is: the run's last events are never in it.
    /// Its owner, should it still be there (its lease had lapsed), is told to stop it through the stop channel.
    /// KEYS: the run's hash, its stream, its snapshot's hash, text and reasoning. ARGV: the instance-key prefix (empty:
    /// do not require the owner to be gone), error JSON, done JSON, reason, ended at, retention seconds, the channel to
    /// publish to, the error and done type names, the stop channel, the run's id.
    /// </summary>
    public const string FailRun = """
        if redis.call('HGET', KEYS[1], 'status') ~= 'running' then return false end
        if ARGV[1] ~= '' and redis.call('EXISTS', ARGV[1] .. redis.call('HGET', KEYS[1], 'owner')) == 1 then return false end
        local last = tonumber(redis.call('HGET', KEYS[1], 'lastSequence') or '0')
        local top = redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', 1)
        if #top > 0 then last = math.max(last, tonumber(string.match(top[1][1], '^0%-(%d+)$'))) end
        redis.call('XADD', KEYS[2], '0-' .. (last + 1), 't', ARGV[8], 'd', ARGV[2])
        redis.call('XADD', KEYS[2], '0-' .. (last + 2), 't', ARGV[9], 'd', ARGV[3])
        redis.call('HSET', KEYS[1], 'status', 'failed', 'reason', ARGV[4], 'endedAt', ARGV[5], 'lastSequence', last + 2)
        for i = 1, #KEYS do redis.call('EXPIRE', KEYS[i], ARGV[6]) end
        redis.call('PUBLISH', ARGV[7], last + 2)
        redis.call('PUBLISH', ARGV[10], ARGV[11] .. ' ' .. ARGV[4])
        return true
        """;

    /// <summary>
    /// A new run's record with its expiry, and its thread's latest run when it has a thread, in one command: what a run's
    /// start asks of Redis before its first frame (which carries its id) goes out.
    /// KEYS: the run's hash, then the thread's key when the run has a thread. ARGV: seconds until they expire, the run's
    /// id, then the record's field and value pairs.
    /// </summary>
    public const string CreateRun = """
        redis.call('HSET', KEYS[1], unpack(ARGV, 3))
        redis.call('EXPIRE', KEYS[1], ARGV[1])
        if KEYS[2] then redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[1]) end
        return 1
        """;

    /// <summary>
    /// A run's record, and whether the instance that runs it still holds its lease, in one round trip (a reader that
    /// comes to another instance reads both before its first event).
    /// KEYS: the run's hash. ARGV: the instance-key prefix, the reading instance's id (its own lease is not looked at).
    /// Returns: false when the run is not known, or {the hash as a flat list, 1 or 0}.
    /// </summary>
    public const string ReadRun = """
        local fields = redis.call('HGETALL', KEYS[1])
        if #fields == 0 then return false end
        local alive = 1
        if redis.call('HGET', KEYS[1], 'status') == 'running' then
          local owner = redis.call('HGET', KEYS[1], 'owner') or ''
          if owner ~= ARGV[2] then alive = redis.call('EXISTS', ARGV[1] .. owner) end
        end
        return {fields, alive}
        """;

    /// <summary>
    /// Stores one batch of events for each of several runs, in one command rather than one per run and step: the
    /// writer's round trip carries a command per <see cref="RedisWriter.RunsPerCommand"/> runs. For each run, in turn:
    /// adds the batch's stream entries (<see cref="RedisEntries"/>: fields <c>n</c> and <c>e</c>), then, when given,
    /// what was added to the snapshot since it was last written (text and reasoning appended, the sequence of the last
    /// applied event, only the fields that changed), then trims the stream (never past the snapshot: it is written
    /// first, so the stream always holds every event after the snapshot's sequence), sets the record's figures and
    /// tells readers. The first batch also sets the stream's expiry, the snapshot's first write its hash's; the text
    /// and the reasoning get the record's when an append makes their key (a run that never reasons has no reasoning
    /// key, and no empty appends). A run whose commands fail does not stop the others'.
    /// KEYS: six a run: its stream, its hash, its snapshot's hash, text, reasoning, its readers elsewhere.
    /// ARGV, a run after another: the number n of its arguments, then its n arguments: the number of entries k, then
    /// each entry's id, event count and packed events; then, from o = 2 + 3k: the last sequence, chunks, chars, the id
    /// to trim the stream to (empty: none), seconds until the stream expires (0: as it is), the channel to publish to;
    /// the snapshot's sequence (empty: it is left as it is), text, reasoning, seconds until the snapshot's hash expires
    /// (0: as it is), then field and value pairs.
    /// Returns, a run's answer after another: 1, or 2 when a reader on another instance follows the run (its owner
    /// then writes it without delay, <see cref="RedisOptions.WriteDelayMs"/>); or, writing nothing, the record's reason
    /// when the run is no longer running (another instance failed it while its owner still ran it,
    /// <see cref="FailRun"/>), empty when the record is gone; or, as an array of one, the error its commands met (the
    /// client refuses a reply whose items are errors).
    /// </summary>
    public const string AppendEvents = """
        local function append(K, b, e)
          if redis.call('HGET', KEYS[K + 2], 'status') ~= 'running' then return redis.call('HGET', KEYS[K + 2], 'reason') or '' end
          local k = tonumber(ARGV[b + 1])
          for i = 0, k - 1 do
            local at = b + 2 + 3 * i
            redis.call('XADD', KEYS[K + 1], ARGV[at], 'n', ARGV[at + 1], 'e', ARGV[at + 2])
          end
          local o = b + 2 + 3 * k
          if ARGV[o + 6] ~= '' then
            for i = 4, 5 do
              local added = ARGV[o + i + 3]
              if added ~= '' and redis.call('APPEND', KEYS[K + i], added) == #added then
                redis.call('EXPIRE', KEYS[K + i], math.max(1, redis.call('TTL', KEYS[K + 2])))
              end
            end
            redis.call('HSET', KEYS[K + 3], 'sequence', ARGV[o + 6], unpack(ARGV, o + 10, e))
            if ARGV[o + 9] ~= '0' then redis.call('EXPIRE', KEYS[K + 3], ARGV[o + 9]) end
          end
          if ARGV[o + 3] ~= '' then redis.call('XTRIM', KEYS[K + 1], 'MINID', '~', ARGV[o + 3]) end
          redis.call('HSET', KEYS[K + 2], 'lastSequence', ARGV[o], 'chunks', ARGV[o + 1], 'chars', ARGV[o + 2])
          if ARGV[o + 4] ~= '0' then redis.call('EXPIRE', KEYS[K + 1], ARGV[o + 4]) end
          redis.call('PUBLISH', ARGV[o + 5], ARGV[o])
          return 1 + redis.call('EXISTS', KEYS[K + 6])
        end
        local answers = {}
        local b = 0
        for r = 0, #KEYS / 6 - 1 do
          local n = tonumber(ARGV[b + 1])
          local ok, answer = pcall(append, 6 * r, b + 1, b + 1 + n)
          if not ok then answer = {type(answer) == 'table' and answer.err or tostring(answer)} end
          answers[r + 1] = answer
          b = b + 1 + n
        end
        return answers
        """;

    /// <summary>
    /// Stores a run's end, in one command: its record's fields, its keys living for the retention from now, a notice to
    /// readers. It follows the run's last batch (<see cref="AppendEvents"/>).
    /// KEYS: as <see cref="AppendEvents"/>'s for one run (its stream, its hash, its snapshot's hash, text and
    /// reasoning). ARGV: the retention in milliseconds, the channel to publish to, the last sequence, then the record's
    /// field and value pairs.
    /// A record that no longer says <c>running</c> (another instance failed the run) is left as it is: returns 0.
    /// </summary>
    public const string EndRun = """
        if redis.call('HGET', KEYS[2], 'status') ~= 'running' then return 0 end
        redis.call('HSET', KEYS[2], unpack(ARGV, 4))
        for i = 1, #KEYS do redis.call('PEXPIRE', KEYS[i], ARGV[1]) end
        redis.call('PUBLISH', ARGV[2], ARGV[3])
        return 1
        """;

    /// <summary>
    /// A run's snapshot and the stream's entries after its sequence, read together, so that no event falls between
    /// them (a writer trims the stream only up to its snapshot). False when the run is not known.
    /// KEYS: the run's hash, its snapshot's hash, text and reasoning, its stream. ARGV: the most entries to return (0:
    /// all of them), then the hash's fields to read, <c>sequence</c> first.
    /// Returns: the values of those fields, the text, the reasoning, the entries.
    /// </summary>
    public const string ReadSnapshot = """
        if redis.call('EXISTS', KEYS[1]) == 0 then return false end
        local fields = redis.call('HMGET', KEYS[2], unpack(ARGV, 2))
        local after = '0-' .. (tonumber(fields[1] or '0') + 1)
        local entries
        if ARGV[1] == '0' then entries = redis.call('XRANGE', KEYS[5], after, '+')
        else entries = redis.call('XRANGE', KEYS[5], after, '+', 'COUNT', ARGV[1]) end
        return {fields, redis.call('GET', KEYS[3]) or '', redis.call('GET', KEYS[4]) or '', entries}
        """;

    /// <summary>
    /// Records a decision on an approval unless one stands, or its deadline has passed. When that was the last
    /// undecided one, the run's score in the waiting set becomes 0: due at once, for any instance's timeouts to take it
    /// up should the deciding instance not (it drains, or dies before its claim).
    /// KEYS: the run's approvals hash, the waiting set. ARGV: the approval's id, <c>1</c> or <c>0</c>, the reason prefixed
    /// with <c>r</c> (empty: none), now (Unix ms), the run's id, a client tool's output prefixed with <c>o</c> (empty: none).
    /// Returns: <c>{'unknown'}</c>, <c>{'expired'}</c>, <c>{'recorded'}</c>, or <c>{'decided', flag, reason or false, output or false}</c>.
    /// </summary>
    public const string Decide = """
        local deadline = redis.call('HGET', KEYS[1], 'a:' .. ARGV[1])
        if not deadline then return {'unknown'} end
        local standing = redis.call('HGET', KEYS[1], 'd:' .. ARGV[1])
        if standing then return {'decided', standing, redis.call('HGET', KEYS[1], 'r:' .. ARGV[1]), redis.call('HGET', KEYS[1], 'o:' .. ARGV[1])} end
        if tonumber(ARGV[4]) >= tonumber(deadline) then return {'expired'} end
        redis.call('HSET', KEYS[1], 'd:' .. ARGV[1], ARGV[2])
        if ARGV[3] ~= '' then redis.call('HSET', KEYS[1], 'r:' .. ARGV[1], string.sub(ARGV[3], 2)) end
        if ARGV[6] ~= '' then redis.call('HSET', KEYS[1], 'o:' .. ARGV[1], string.sub(ARGV[6], 2)) end
        local all = redis.call('HKEYS', KEYS[1])
        for _, field in ipairs(all) do
          if string.sub(field, 1, 2) == 'a:' and redis.call('HEXISTS', KEYS[1], 'd:' .. string.sub(field, 3)) == 0 then return {'recorded'} end
        end
        if redis.call('ZSCORE', KEYS[2], ARGV[5]) then redis.call('ZADD', KEYS[2], 0, ARGV[5]) end
        return {'recorded'}
        """;

    /// <summary>
    /// Claims a waiting run's checkpoint once every approval is decided or past its deadline (or at once, when stopping):
    /// the undecided ones are denied (reason <c>timeout</c>, or the stop's), the checkpoint is taken, the run leaves the
    /// waiting set and becomes this instance's, running. Of all callers, one gets it.
    /// KEYS: the checkpoint, the approvals hash, the waiting set, the run's hash. ARGV: the run's id, now (Unix ms), the
    /// stop's reason (empty: none), this instance's id.
    /// Returns: false, or {the checkpoint's JSON, the approvals hash as a flat list}.
    /// </summary>
    public const string Claim = """
        local checkpoint = redis.call('GET', KEYS[1])
        if not checkpoint then return false end
        local all = redis.call('HGETALL', KEYS[2])
        local open = {}
        for i = 1, #all, 2 do
          if string.sub(all[i], 1, 2) == 'a:' then
            local id = string.sub(all[i], 3)
            if redis.call('HEXISTS', KEYS[2], 'd:' .. id) == 0 then
              if ARGV[3] == '' and tonumber(ARGV[2]) < tonumber(all[i + 1]) then return false end
              table.insert(open, id)
            end
          end
        end
        local reason = ARGV[3]
        if reason == '' then reason = 'timeout' end
        for _, id in ipairs(open) do redis.call('HSET', KEYS[2], 'd:' .. id, '0', 'r:' .. id, reason) end
        redis.call('DEL', KEYS[1])
        redis.call('ZREM', KEYS[3], ARGV[1])
        redis.call('HSET', KEYS[4], 'status', 'running', 'owner', ARGV[4])
        return {checkpoint, redis.call('HGETALL', KEYS[2])}
        """;
}
