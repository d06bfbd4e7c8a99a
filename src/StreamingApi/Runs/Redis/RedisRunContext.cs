using Microsoft.Extensions.Options;
using StreamingApi.Observability;

namespace StreamingApi.Runs.Redis;

/// <summary>
/// What the parts of the Redis store share, and all that a run's log and its readers elsewhere need of it: this
/// instance's name, the key names, the settings, the codec, the clock, the metrics and the guard around every call.
/// Handed to them instead of the store, so that none of them reaches into another's state.
/// </summary>
internal sealed class RedisRunContext(string instanceId, RedisKeys keys, RedisOptions options, IOptions<RunOptions> runOptions,
    RunEventCodec codec, StreamingMetrics metrics, TimeProvider time, RedisGuard guard)
{
    /// <summary>This instance's name in Redis: the owner of the runs it executes, and the prefix of its readers' ids.</summary>
    public string InstanceId => instanceId;

    public RedisKeys Keys => keys;

    public RedisOptions Options => options;

    public RunOptions RunOptions => runOptions.Value;

    public RunEventCodec Codec => codec;

    public StreamingMetrics Metrics => metrics;

    public TimeProvider Time => time;

    public RedisGuard Guard => guard;

    public RedisSnapshots Snapshots { get; } = new(keys, codec);
}
