using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using StreamingApi.Runs;

namespace StreamingApi.Security;

/// <summary>Tickets in this process (runs kept in memory are only readable here anyway).</summary>
public sealed class MemoryRunTickets(IOptions<AuthOptions> auth, IOptions<RunOptions> runs, TimeProvider time) : IRunTickets
{
    private readonly ConcurrentDictionary<string, Entry> _tickets = new();

    public Task<IssuedTicket> IssueAsync(string principal, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        foreach (var (key, entry) in _tickets)
            if (entry.ExpiresAt <= now) _tickets.TryRemove(new KeyValuePair<string, Entry>(key, entry));
        var ticket = TicketValues.New();
        var expiresAt = now + TimeSpan.FromSeconds(auth.Value.TicketSeconds);
        _tickets[TicketValues.KeyOf(ticket)] = new Entry(principal, expiresAt, Claimed: false, RunId: null);
        return Task.FromResult(new IssuedTicket(ticket, expiresAt));
    }

    public Task<TicketGrant?> FindAsync(string ticket, CancellationToken cancellationToken) =>
        Task.FromResult(Valid(TicketValues.KeyOf(ticket)) is { } entry ? new TicketGrant(entry.Principal, entry.Claimed, entry.RunId) : null);

    public Task<bool> ClaimAsync(string ticket, CancellationToken cancellationToken)
    {
        var key = TicketValues.KeyOf(ticket);
        if (Valid(key) is not { Claimed: false } entry) return Task.FromResult(false);
        var claimed = entry with { Claimed = true, ExpiresAt = time.GetUtcNow() + RunTicketLifetime.Of(runs.Value) };
        return Task.FromResult(_tickets.TryUpdate(key, claimed, entry)); // false when another request claimed it first
    }

    public Task RecordRunAsync(string ticket, string runId, CancellationToken cancellationToken)
    {
        var key = TicketValues.KeyOf(ticket);
        if (_tickets.TryGetValue(key, out var entry)) _tickets.TryUpdate(key, entry with { RunId = runId }, entry);
        return Task.CompletedTask;
    }

    private Entry? Valid(string key) => _tickets.TryGetValue(key, out var entry) && entry.ExpiresAt > time.GetUtcNow() ? entry : null;

    private sealed record Entry(string Principal, DateTimeOffset ExpiresAt, bool Claimed, string? RunId);
}

/// <summary>How long a ticket that started a run lives: as long as the run can be read.</summary>
internal static class RunTicketLifetime
{
    public static TimeSpan Of(RunOptions runs) => TimeSpan.FromSeconds(runs.MaxRunSeconds + runs.RetentionSeconds);
}
