using StackExchange.Redis;

namespace StreamingApi.Runs.Redis;

/// <summary>The names of the keys and channels a run uses in Redis.</summary>
internal sealed class RedisKeys(string prefix)
{
    /// <summary>A hash: the run's record (status, times, last sequence), its owner instance and its figures.</summary>
    public RedisKey Run(string runId) => $"{prefix}run:{runId}";

    /// <summary>
    /// A stream: one entry per batch of consecutive events (<see cref="EventsPerEntry"/> at most), with id
    /// <c>0-seq</c> where seq is the sequence of its last event, holding the events' types and JSON in order
    /// (<see cref="RedisEntries"/>).
    /// </summary>
    public RedisKey Events(string runId) => $"{prefix}run:{runId}:events";

    /// <summary>The most events one stream entry holds: a fast run writes one command per this many events.</summary>
    public const int EventsPerEntry = 64;

    /// <summary>
    /// A hash: the run's snapshot (<see cref="RunSnapshot"/>) but for its text and reasoning, as of the event in its
    /// <c>sequence</c> field: <c>run</c>, <c>partial</c>, <c>result</c>, <c>progress</c> and <c>error</c> hold the
    /// latest such event's JSON, <c>toolCalls</c> the JSON array of the tool calls so far. Never the run's last events:
    /// those are in the stream, after it.
    /// </summary>
    public RedisKey Snapshot(string runId) => $"{prefix}run:{runId}:snapshot";

    /// <summary>A string: the snapshot's text (its <c>text</c> deltas, appended write by write).</summary>
    public RedisKey Text(string runId) => $"{prefix}run:{runId}:text";

    /// <summary>A string: the snapshot's reasoning (its <c>reasoning</c> deltas, appended write by write).</summary>
    public RedisKey Reasoning(string runId) => $"{prefix}run:{runId}:reasoning";

    /// <summary>
    /// A sorted set: readers on instances other than the owner's, scored by when their presence expires; the set
    /// itself expires with the latest presence.
    /// </summary>
    public RedisKey Readers(string runId) => $"{prefix}run:{runId}:readers";

    /// <summary>A string: the checkpoint of the run while it waits for approvals (JSON); taken (deleted) by the claim that continues it.</summary>
    public RedisKey Checkpoint(string runId) => $"{prefix}run:{runId}:checkpoint";

    /// <summary>
    /// A hash: the run's approvals, <c>a:{approvalId}</c> their deadline (Unix ms), <c>d:{approvalId}</c> the decision
    /// (<c>1</c> or <c>0</c>) and <c>r:{approvalId}</c> its reason, when there is one. Kept after the claim, for a
    /// decision given again.
    /// </summary>
    public RedisKey Approvals(string runId) => $"{prefix}run:{runId}:approvals";

    /// <summary>A sorted set: the waiting runs, scored by their deadline (Unix ms), which every instance's timeouts look at.</summary>
    public RedisKey Waiting => $"{prefix}waiting";

    /// <summary>A string: the id of the thread's latest run, expiring with the longest life of that run's record.</summary>
    public RedisKey Thread(string threadId) => $"{prefix}thread:{threadId}";

    /// <summary>A key that exists while the instance lives (its lease).</summary>
    public RedisKey Instance(string instanceId) => $"{prefix}instance:{instanceId}";

    /// <summary>The prefix of <see cref="Instance"/>, for the script that checks a lease by the owner's id.</summary>
    public string InstancePrefix => $"{prefix}instance:";

    /// <summary>Published to after events are added: readers elsewhere read what is new.</summary>
    public RedisChannel Appended(string runId) => RedisChannel.Literal($"{prefix}run:{runId}:appended");

    /// <summary>Requests to stop a run, heard by every instance; the owner acts.</summary>
    public RedisChannel Stops => RedisChannel.Literal($"{prefix}stops");

    /// <summary>
    /// A run's id, published by a reader on another instance as it comes, heard by every instance: the run's owner
    /// writes it without delay from then on (<see cref="RedisOptions.WriteDelayMs"/>).
    /// </summary>
    public RedisChannel Followed => RedisChannel.Literal($"{prefix}followed");

    /// <summary>The id of the entry whose last event has <paramref name="sequence"/>.</summary>
    public static RedisValue EntryId(long sequence) => $"0-{sequence}";

    /// <summary>The most bytes <see cref="WriteEntryId"/> writes.</summary>
    public const int MaxEntryIdBytes = 22;

    /// <summary><see cref="EntryId"/> as ASCII into <paramref name="into"/> (at least <see cref="MaxEntryIdBytes"/> long); gives its length.</summary>
    public static int WriteEntryId(Span<byte> into, long sequence)
    {
        "0-"u8.CopyTo(into);
        sequence.TryFormat(into[2..], out var digits, default, System.Globalization.CultureInfo.InvariantCulture);
        return 2 + digits;
    }

    /// <summary>The sequence of the entry's last event.</summary>
    public static long SequenceOf(RedisValue entryId)
    {
        var id = (string)entryId!;
        return long.Parse(id.AsSpan(id.IndexOf('-') + 1), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The sequence of the entry's first event (<see cref="RedisEntries"/>).</summary>
    public static long FirstSequenceOf(StreamEntry entry) => SequenceOf(entry.Id) - RedisEntries.CountOf(entry) + 1;
}
