using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace StreamingApi.Security;

/// <summary>
/// <c>GET /auth</c>: whether the server requires authentication, and how (the page asks before it streams).
/// <c>POST /auth/tickets</c>: a ticket for an EventSource URL, for the authenticated principal.
/// </summary>
public static class AuthEndpoints
{
    public static RouteGroupBuilder MapAuth(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/auth").WithTags("Authentication");

        group.MapGet("/", (IOptions<AuthOptions> options) => TypedResults.Ok(AuthRequirements.Of(options.Value)))
            .WithName("GetAuth")
            .WithSummary("Whether requests need credentials, and which schemes the server accepts (apiKey, jwt, ticket).");

        group.MapPost("/tickets", IssueAsync)
            .RequireRunAccess()
            .WithName("IssueTicket")
            .WithSummary("A ticket for ?ticket= in an EventSource URL: bound to the caller, expires after Auth:TicketSeconds unless used, " +
                         "starts one run and then authenticates that run's reconnects (Last-Event-ID).")
            .ProducesProblem(StatusCodes.Status401Unauthorized);

        return group;
    }

    private static async Task<Results<Ok<IssuedTicket>, ProblemHttpResult>> IssueAsync(IRunTickets tickets, IOptions<AuthOptions> options, HttpContext http)
    {
        if (!options.Value.IsEnabled || RunAccess.Name(http.User) is not { } principal)
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Authentication is off",
                detail: "The server requires no credentials, so there are no tickets: open the stream's URL as it is.");
        return TypedResults.Ok(await tickets.IssueAsync(principal, http.RequestAborted));
    }
}
