using System.Security.Cryptography;
using System.Text;

namespace StreamingApi.Security;

/// <summary>
/// Short-lived tickets for URLs (<c>?ticket=</c>), for the clients that cannot send headers (EventSource). A ticket is
/// bound to the principal it was issued to, expires after <c>Auth:TicketSeconds</c> while unused, starts at most one
/// run, and then keeps authenticating that run's reconnects for as long as the run can be read. Kept in memory, or in
/// Redis when runs are (<c>Runs:Store=redis</c>), so that any instance accepts any instance's tickets. Stores key them
/// by the ticket's hash: neither keeps a ticket itself.
/// </summary>
public interface IRunTickets
{
    /// <summary>A new ticket for <paramref name="principal"/>, and when it expires if it is not used.</summary>
    Task<IssuedTicket> IssueAsync(string principal, CancellationToken cancellationToken);

    /// <summary>What the ticket is for, or null when it is unknown or has expired.</summary>
    Task<TicketGrant?> FindAsync(string ticket, CancellationToken cancellationToken);

    /// <summary>
    /// Uses the ticket to start a run: true the first time (its lifetime becomes the run's), false when it has started
    /// one already or is gone.
    /// </summary>
    Task<bool> ClaimAsync(string ticket, CancellationToken cancellationToken);

    /// <summary>Records the run that a claimed ticket started: its reconnects are the only reads the ticket allows from now on.</summary>
    Task RecordRunAsync(string ticket, string runId, CancellationToken cancellationToken);
}

/// <summary>The body of <c>POST /auth/tickets</c>.</summary>
public sealed record IssuedTicket(string Ticket, DateTimeOffset ExpiresAt);

/// <summary>A valid ticket: its principal, whether it has started a run, and which (null until the run is recorded).</summary>
public sealed record TicketGrant(string Principal, bool Claimed, string? RunId);

internal static class TicketValues
{
    public static string New() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>How stores name a ticket: its SHA-256, so that a store's contents cannot be used as tickets.</summary>
    public static string KeyOf(string ticket) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(ticket)));
}
