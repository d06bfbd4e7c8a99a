using System.Security.Claims;
using Microsoft.AspNetCore.Http.Features.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using StreamingApi.Runs;

namespace StreamingApi.Security;

/// <summary>
/// Who may do what with a run, for the endpoints: the principal a run is started for, whether a request may see a run
/// (its principal's, and with a ticket only the run the ticket started), and the one run a ticket may start. A run
/// that a request may not see is answered as a run that does not exist, never as a forbidden one.
/// </summary>
public sealed class RunAccess(IOptions<AuthOptions> options, IRunTickets tickets)
{
    /// <summary>Whether requests need a principal (<c>Auth</c> configures a key or an authority).</summary>
    public bool IsEnabled => options.Value.IsEnabled;

    /// <summary>The principal a new run is recorded for: the request's, or null when authentication is off.</summary>
    public string? PrincipalOf(HttpContext http) => options.Value.IsEnabled ? Name(http.User) : null;

    /// <summary>Whether the request may read, resume or cancel the run.</summary>
    public bool MaySee(HttpContext http, RunRecord run)
    {
        if (!options.Value.IsEnabled) return true;
        if (Name(http.User) is not { } principal || run.Principal != principal) return false;
        // A ticket that has started a run reads only that run (and none while the run is being recorded against it).
        return TicketOf(http.User) is null || !http.Items.TryGetValue(BoundRun, out var bound) || bound as string == run.RunId;
    }

    /// <summary>
    /// Before a run starts: a request with a ticket uses it up (403 when it has started a run already). Null when the
    /// run may start; then <see cref="StartedAsync"/> records the run against the ticket.
    /// </summary>
    public async Task<ProblemHttpResult?> StartingAsync(HttpContext http)
    {
        if (TicketOf(http) is not { } ticket) return null;
        if (await tickets.ClaimAsync(ticket, http.RequestAborted)) return null;
        return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "The ticket has been used",
            detail: "A ticket starts one run, and then reads only that run. Ask POST /auth/tickets for a new one.");
    }

    /// <summary>After a run started: a ticket that started it reads it from now on, and only it.</summary>
    public async Task StartedAsync(HttpContext http, string runId)
    {
        if (TicketOf(http) is not { } ticket) return;
        await tickets.RecordRunAsync(ticket, runId, CancellationToken.None);
        http.Items[BoundRun] = runId;
    }

    internal static string? Name(ClaimsPrincipal user) => user.Identity is { IsAuthenticated: true, Name: { Length: > 0 } name } ? name : null;

    /// <summary>
    /// The ticket of the request's principal, when authentication made one: null without (as always while it is off), and
    /// no anonymous principal made to ask, which the request would keep for its life.
    /// </summary>
    private static string? TicketOf(HttpContext http) => Authenticated(http) is { } user ? TicketOf(user) : null;

    /// <summary>The principal authentication gave the request, or null when none ran or it gave none.</summary>
    private static ClaimsPrincipal? Authenticated(HttpContext http) => http.Features.Get<IHttpAuthenticationFeature>()?.User;

    /// <summary>The ticket of a principal the ticket scheme made; null for any other (a key's, a token's), whose claims are not searched.</summary>
    private static string? TicketOf(ClaimsPrincipal user) =>
        user.Identity is { AuthenticationType: AuthSchemes.Ticket } ? user.FindFirst(AuthSchemes.TicketClaim)?.Value : null;

    /// <summary>The request item that holds the run a claimed ticket started ("" until it is recorded), set by the ticket handler.</summary>
    internal const string BoundRun = "StreamingApi.TicketRun";
}
