using StreamingApi.Agents;
using StreamingApi.AgUi;
using StreamingApi.Approvals;
using StreamingApi.Browsers;
using StreamingApi.Health;
using StreamingApi.Limits;
using StreamingApi.Models;
using StreamingApi.Observability;
using StreamingApi.OpenApi;
using StreamingApi.Problems;
using StreamingApi.Runs;
using StreamingApi.RunsApi;
using StreamingApi.Security;
using StreamingApi.Streaming;
using StreamingApi.VercelUi;

if (NewApiKeyCommand.IsAsked(args)) return NewApiKeyCommand.Run(args, Console.Out, Console.Error);

var builder = WebApplication.CreateBuilder(args);

builder.AddStructuredLogging();
builder.AddManagementListener();
builder.Services.AddChatModel();
builder.Services.AddAgents();
builder.Services.AddRuns();
builder.Services.AddApprovals();
builder.Services.AddApiAuthentication();
builder.Services.AddStreaming();
builder.Services.AddProblemResponses();
builder.Services.AddApiDocumentation();
builder.Services.AddServiceMetrics();
builder.AddTracing();
builder.Services.AddHealth();
builder.Services.AddBrowserSecurity();
builder.Services.AddLimits();

var app = builder.Build();

app.UseRequestLogging(); // first: it logs the status the exception handler sends, not the exception it handles
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseBrowserSecurity(); // before the files and endpoints: the page's headers, and CORS preflights answered
app.UseManagementListener();
app.UseDefaultFiles();
app.UseStaticFiles();
app.UseApiDocumentation();
app.UseApiAuthentication(); // after the page and the API document, which stay open
app.UseLimits(); // after authentication: limits count per principal, and only requests to endpoints

app.MapStreams();
app.MapRuns();
app.MapApprovals();
app.MapChat();
app.MapAgUi();
app.MapAgentApi();
app.MapAuth();
app.MapHealth();
app.MapUsage();
app.MapServiceMetrics();
app.MapTelemetry();

return app.RunOrExplain();
