using Microsoft.Extensions.Options;
using StackExchange.Redis;
using StreamingApi.Runs.Redis;

namespace StreamingApi.Limits;

/// <summary>The Redis keys of limits and quotas, under the deployment's <see cref="RedisOptions.KeyPrefix"/>.</summary>
public sealed class RedisLimitKeys(IOptions<RedisOptions> options)
{
    private readonly string _prefix = options.Value.KeyPrefix + "limits:";

    public RedisKey Bucket(string key) => $"{_prefix}bucket:{key}";

    public RedisKey Running(string key) => $"{_prefix}running:{key}";

    public RedisKey Tokens(string key, DateOnly day) => $"{_prefix}tokens:{key}:{day:yyyy-MM-dd}";
}
