using StreamingApi.Agents;
using StreamingApi.AgUi;
using StreamingApi.Browsers;
using StreamingApi.Health;
using StreamingApi.Limits;
using StreamingApi.Models;
using StreamingApi.Observability;
using StreamingApi.OpenApi;
using StreamingApi.Problems;
using StreamingApi.Runs;
using StreamingApi.RunsApi;
using StreamingApi.Streaming;
using StreamingApi.VercelUi;

var builder = WebApplication.CreateBuilder(args);

builder.AddStructuredLogging();
builder.Services.AddChatModel();
builder.Services.AddAgents();
builder.Services.AddRuns();
builder.Services.AddStreaming();
builder.Services.AddProblemResponses();
builder.Services.AddApiDocumentation();
builder.Services.AddServiceMetrics();
builder.Services.AddHealth();
builder.Services.AddBrowserSecurity();
builder.Services.AddLimits();

var app = builder.Build();

app.UseRequestLogging(); // first: it logs the status the exception handler sends, not the exception it handles
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseBrowserSecurity(); // before the files and endpoints: the page's headers, and CORS preflights answered
app.UseDefaultFiles();
app.UseStaticFiles();
app.UseApiDocumentation();
app.UseLimits(); // after the files: only requests to endpoints are held to limits

app.MapStreams();
app.MapRuns();
app.MapChat();
app.MapAgUi();
app.MapAgentApi();
app.MapHealth();
app.MapUsage();
app.MapServiceMetrics();

return app.RunOrExplain();
