using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using StreamingApi.Security;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace StreamingApi.OpenApi;

/// <summary>
/// Describes authentication in the document, as it is configured: the schemes (<c>Authorization: Bearer</c> with a JWT or
/// an API key, <c>X-Api-Key</c>, and a ticket in the <c>ticket</c> query parameter of a GET), and, on each operation
/// that requires a principal (the run access policy), which of them it accepts. With authentication off the document
/// names no scheme and no operation asks for one: every request is anonymous then.
/// </summary>
public sealed class AuthDocumentFilter(IOptions<AuthOptions> options) : IDocumentFilter, IOperationFilter
{
    public const string Bearer = "bearer";
    public const string ApiKey = "apiKey";
    public const string Ticket = "ticket";

    public void Apply(OpenApiDocument document, DocumentFilterContext context)
    {
        var auth = options.Value;
        if (!auth.IsEnabled) return;
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        var bearerIs = (auth.UsesJwt, auth.UsesApiKeys) switch
        {
            (true, true) => "a JWT from the configured OpenID Connect provider, or an API key",
            (true, false) => "a JWT from the configured OpenID Connect provider",
            _ => "an API key",
        };
        document.Components.SecuritySchemes[Bearer] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = $"Authorization: Bearer <credential>, where the credential is {bearerIs}.",
        };
        if (auth.UsesApiKeys)
            document.Components.SecuritySchemes[ApiKey] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = AuthSchemes.ApiKeyHeader,
                Description = "An API key, instead of Authorization: Bearer.",
            };
        document.Components.SecuritySchemes[Ticket] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Query,
            Name = AuthSchemes.TicketParameter,
            Description = "A ticket from POST /auth/tickets, for an EventSource URL; GET requests only. It starts one run, then reads only that run.",
        };
    }

    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        var auth = options.Value;
        if (!auth.IsEnabled) return;
        var metadata = context.ApiDescription.ActionDescriptor.EndpointMetadata;
        if (!metadata.OfType<IAuthorizeData>().Any(a => a.Policy == AuthSchemes.RunAccessPolicy) || metadata.OfType<IAllowAnonymous>().Any()) return;

        // Each requirement is one way in: any of them will do.
        operation.Security ??= [];
        operation.Security.Add(Requirement(Bearer, context.Document));
        if (auth.UsesApiKeys) operation.Security.Add(Requirement(ApiKey, context.Document));
        if (HttpMethods.IsGet(context.ApiDescription.HttpMethod ?? "")) operation.Security.Add(Requirement(Ticket, context.Document));
    }

    private static OpenApiSecurityRequirement Requirement(string scheme, OpenApiDocument document) =>
        new() { [new OpenApiSecuritySchemeReference(scheme, document)] = [] };
}
