using Microsoft.Extensions.Options;
using StackExchange.Redis;
using StreamingApi.Runs;
using StreamingApi.Runs.Redis;

namespace StreamingApi.Security;

/// <summary>
/// Tickets in Redis (<c>{KeyPrefix}ticket:{sha256}</c>, a hash of <c>principal</c> and, once claimed, <c>run</c>),
/// living as long as they are valid: every instance accepts every instance's tickets.
/// </summary>
public sealed class RedisRunTickets(RedisConnection redis, IOptions<RedisOptions> redisOptions, IOptions<AuthOptions> auth,
    IOptions<RunOptions> runs, TimeProvider time) : IRunTickets
{
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
        var database = await DatabaseAsync();
        var key = Key(ticket);
        var batch = database.CreateBatch();
        var written = batch.HashSetAsync(key, [new HashEntry("principal", principal)]);
        var expiring = batch.KeyExpireAsync(key, lifetime);
        batch.Execute();
        await Task.WhenAll(written, expiring);
        return new IssuedTicket(ticket, time.GetUtcNow() + lifetime);
    }

    public async Task<TicketGrant?> FindAsync(string ticket, CancellationToken cancellationToken)
    {
        var fields = await (await DatabaseAsync()).HashGetAllAsync(Key(ticket));
        if (fields.Length == 0) return null;
        var values = fields.ToDictionary(f => (string)f.Name!, f => (string?)f.Value);
        var run = values.GetValueOrDefault("run");
        return new TicketGrant(values.GetValueOrDefault("principal") ?? "", run is not null, run is { Length: > 0 } ? run : null);
    }

    public async Task<bool> ClaimAsync(string ticket, CancellationToken cancellationToken) =>
        (int)await (await DatabaseAsync()).ScriptEvaluateAsync(Claim, [Key(ticket)], [(long)RunTicketLifetime.Of(runs.Value).TotalSeconds]) == 1;

    public async Task RecordRunAsync(string ticket, string runId, CancellationToken cancellationToken) =>
        await (await DatabaseAsync()).HashSetAsync(Key(ticket), "run", runId);

    private RedisKey Key(string ticket) => $"{redisOptions.Value.KeyPrefix}ticket:{TicketValues.KeyOf(ticket)}";

    private async Task<IDatabase> DatabaseAsync() => (await redis.GetAsync()).GetDatabase();
}
