using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace StreamingApi.Security;

/// <summary>
/// A ticket in the URL (<c>GET ...?ticket=</c>), for EventSource, which cannot send headers: the principal is the one
/// the ticket was issued to. What the ticket may do (start one run, then read only that run) is decided where runs are
/// started and read (<see cref="RunAccess"/>), from the ticket kept in the principal's claims.
/// </summary>
public sealed class TicketAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IRunTickets tickets)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? ticket = Request.Query[AuthSchemes.TicketParameter];
        if (string.IsNullOrEmpty(ticket)) return AuthenticateResult.NoResult();
        if (await tickets.FindAsync(ticket, Context.RequestAborted) is not { } grant)
            return AuthenticateResult.Fail("The ticket is unknown or has expired.");
        if (grant.Claimed) Context.Items[RunAccess.BoundRun] = grant.RunId ?? "";

        var principal = SchemePrincipal.Of(Scheme.Name, grant.Principal, new Claim(AuthSchemes.TicketClaim, ticket));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, Scheme.Name));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.Append(HeaderNames.WWWAuthenticate, "Bearer");
        return Task.CompletedTask;
    }
}
