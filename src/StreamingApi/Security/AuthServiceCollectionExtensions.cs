using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using StreamingApi.Runs;

namespace StreamingApi.Security;

public static class AuthServiceCollectionExtensions
{
    /// <summary>
    /// ASP.NET Core authentication with API keys, JWT bearer tokens (ASP.NET Core's JwtBearer handler) and tickets,
    /// forwarded to by the shape of each request's credentials; the policy endpoints with runs require; the ticket
    /// store; and the start-up warning for a public listener without authentication. All off unless <c>Auth</c>
    /// configures a key or an authority.
    /// </summary>
    public static IServiceCollection AddApiAuthentication(this IServiceCollection services)
    {
        services.AddOptions<AuthOptions>().BindConfiguration("Auth")
            .Validate(o => o.ApiKeys.All(k => !string.IsNullOrWhiteSpace(k.Name) && ApiKeyList.Hash(k.Sha256).Length == 32),
                "Auth:ApiKeys: every entry needs a Name and a Sha256 of 64 hex digits (dotnet run --project src/StreamingApi -- new-api-key NAME prints one).")
            .Validate(o => !o.UsesJwt || !string.IsNullOrWhiteSpace(o.Jwt.Audience), "Auth:Jwt:Audience must be set with Auth:Jwt:Authority.")
            .Validate(o => o.TicketSeconds > 0, "Auth:TicketSeconds must be more than 0.")
            .ValidateOnStart();

        // With authentication off there is no default scheme: the middleware (which ASP.NET Core adds whenever the
        // services are there) then authenticates nothing, and a held stream keeps no handler or principal for its life.
        // The default scheme is the API key's, which forwards a request whose credentials are another scheme's to it
        // (SchemeSelector): a request with a key is authenticated by one handler, with no policy scheme in front.
        services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(AuthSchemes.ApiKey, o => o.ForwardDefaultSelector = SchemeSelector.Select)
            .AddScheme<AuthenticationSchemeOptions, TicketAuthenticationHandler>(AuthSchemes.Ticket, null)
            .AddJwtBearer(AuthSchemes.Jwt);
        // Handlers are made for each request that authenticates: from their registrations, rather than by reflection.
        services.TryAddTransient<ApiKeyAuthenticationHandler>();
        services.TryAddTransient<TicketAuthenticationHandler>();
        services.TryAddTransient<JwtBearerHandler>();
        // AddAuthentication brings Data Protection, whose hosted service reads (or makes and writes) its key ring at
        // start-up; nothing here protects data (no cookies, no antiforgery), so a ring is read only if ever asked for.
        if (services.FirstOrDefault(d => d.ServiceType == typeof(IHostedService)
                && d.ImplementationType?.FullName == "Microsoft.AspNetCore.DataProtection.Internal.DataProtectionHostedService") is { } keyRingLoader)
            services.Remove(keyRingLoader);
        services.AddOptions<AuthenticationOptions>().Configure<IOptions<AuthOptions>>((authentication, auth) =>
        {
            if (auth.Value.IsEnabled) authentication.DefaultScheme = AuthSchemes.ApiKey;
        });
        services.AddOptions<JwtBearerOptions>(AuthSchemes.Jwt).Configure<IOptions<AuthOptions>>((jwt, auth) =>
        {
            var settings = auth.Value.Jwt;
            jwt.Authority = settings.Authority;
            jwt.Audience = settings.Audience;
            jwt.RequireHttpsMetadata = settings.RequireHttpsMetadata;
            jwt.MapInboundClaims = false; // the principal is the token's sub, as it is
            jwt.TokenValidationParameters.NameClaimType = AuthSchemes.PrincipalClaim;
        });

        services.AddAuthorizationBuilder()
            .AddPolicy(AuthSchemes.RunAccessPolicy, policy => policy.AddRequirements(new PrincipalWhenAuthEnabled()));
        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationHandler, PrincipalWhenAuthEnabled.Handler>();
        services.AddStatelessAuthorization();

        services.AddSingleton<ApiKeyList>();
        services.AddSingleton<MemoryRunTickets>();
        services.AddSingleton<RedisRunTickets>();
        services.AddSingleton<IRunTickets>(provider => RunServiceCollectionExtensions.UsesRedis(provider.GetRequiredService<IOptions<RunOptions>>())
            ? provider.GetRequiredService<RedisRunTickets>()
            : provider.GetRequiredService<MemoryRunTickets>());
        services.AddSingleton<RunAccess>();
        services.AddHostedService<OpenListenerWarning>();
        return services;
    }

    /// <summary>Authentication, then authorization: after the static files and the API document, which stay open.</summary>
    public static IApplicationBuilder UseApiAuthentication(this IApplicationBuilder app) =>
        app.UseAuthentication().UseAuthorization();

    /// <summary>
    /// A principal on every endpoint of the group, when authentication is on (401 problem details otherwise). With it
    /// off the endpoints carry no policy, so the authorization middleware evaluates nothing for them.
    /// </summary>
    public static TBuilder RequireRunAccess<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
    {
        builder.Add(endpoint =>
        {
            if (endpoint.ApplicationServices.GetRequiredService<IOptions<AuthOptions>>().Value.IsEnabled)
                endpoint.Metadata.Add(new AuthorizeAttribute(AuthSchemes.RunAccessPolicy));
        });
        return builder;
    }
}
