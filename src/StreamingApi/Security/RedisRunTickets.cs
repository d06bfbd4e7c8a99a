using Microsoft.Extensions.Options;
using StackExchange.Redis;
using StreamingApi.Runs;
using StreamingApi.Runs.Redis;

namespace StreamingApi.Security;

/// <summary>
/// Tickets in Redis (<c>{KeyPrefix}ticket:{sha256}</c>, a hash of <c>principal</c> and, once claimed, <c>run</c>),
/// living as long as they are valid: every instance accepts every instance's tickets. Redis out of reach is the run
/// store unavailable (503), as for runs.
/// </summary>
public sealed class RedisRunTickets(RedisConnection redis, IOptions<RedisOptions> redisOptions, IOptions<AuthOptions> auth,
    IOptions<RunOptions> runs, TimeProvider time) : IRunTickets
{
    private readonly RedisGuard _guard = new(redis);

    // Claims an existing, unclaimed ticket and gives it the run's lifetime, atomically: one run per ticket, on any instance.
    private const string Claim = """
        if redis.call('exists', KEYS[1]) == 1 and redis.call('hsetnx', KEYS[1], 'run', '') == 1 then
          redis.call('expire', KEYS[1], ARGV[1])
          return 1
        end
        return 0
        """;

    public async Task<IssuedTicket> IssueAsync(string principal, CancellationToken cancellationToken)
    {
        var ticket = TicketValues.New();
        var lifetime = TimeSpan.FromSeconds(auth.Value.TicketSeconds);
        var database = await _guard.DatabaseAsync();
        var key = Key(ticket);
        await _guard.RunAsync(() =>
        {
            var batch = database.CreateBatch();
            var written = batch.HashSetAsync(key, [new HashEntry("principal", principal)]);
            var expiring = batch.KeyExpireAsync(key, lifetime);
            batch.Execute();
            return Task.WhenAll(written, expiring);
        });
        return new IssuedTicket(ticket, time.GetUtcNow() + lifetime);
    }

    public async Task<TicketGrant?> FindAsync(string ticket, CancellationToken cancellationToken)
    {
        var database = await _guard.DatabaseAsync();
        var fields = await _guard.RunAsync(() => database.HashGetAllAsync(Key(ticket)));
        if (fields.Length == 0) return null;
        var values = fields.ToDictionary(f => (string)f.Name!, f => (string?)f.Value);
        var run = values.GetValueOrDefault("run");
        return new TicketGrant(values.GetValueOrDefault("principal") ?? "", run is not null, run is { Length: > 0 } ? run : null);
    }

    public async Task<bool> ClaimAsync(string ticket, CancellationToken cancellationToken)
    {
        var database = await _guard.DatabaseAsync();
        var lifetime = (long)RunTicketLifetime.Of(runs.Value).TotalSeconds;
        return (int)await _guard.RunAsync(() => database.ScriptEvaluateAsync(Claim, [Key(ticket)], [lifetime])) == 1;
    }

    public async Task RecordRunAsync(string ticket, string runId, CancellationToken cancellationToken)
    {
        var database = await _guard.DatabaseAsync();
        await _guard.RunAsync(() => database.HashSetAsync(Key(ticket), "run", runId));
    }

    private RedisKey Key(string ticket) => $"{redisOptions.Value.KeyPrefix}ticket:{TicketValues.KeyOf(ticket)}";
}
