using System.CommandLine;
using Quartermaster.Cli;

var server = new Option<string>("--server", "-s")
{
    Description = "The allocator's base URL",
    DefaultValueFactory = _ => "http://localhost:8080",
    Recursive = true,
};
server.Validators.Add(result =>
{
    var value = result.GetValueOrDefault<string>();
    if (!AllocatorClient.TryParseServer(value, out _))
    {
        result.AddError($"--server: \"{value}\" is not an http or https URL, such as http://localhost:8080");
    }
});
var output = new Option<string>("--output", "-o")
{
    Description = "Output format: table, json or yaml",
    DefaultValueFactory = _ => "table",
    Recursive = true,
};
output.AcceptOnlyFromAmong("table", "json", "yaml");

var jobArgument = new Argument<string>("job") { Description = "The job name, as /jobs lists it" };
var optionalJob = new Argument<string?>("job") { Description = "Only this job", Arity = ArgumentArity.ZeroOrOne };
var collector = new Option<string?>("--collector", "-c") { Description = "Only the targets of this collector id" };

var jobs = new Command("jobs", "List the jobs that have targets, with their target counts per collector");
jobs.SetAction((r, ct) => Commands.JobsAsync(Client(r), r.GetValue(output)!, Console.Out, ct));

var targets = new Command("targets", "List a job's targets and the collector each one is assigned to") { jobArgument, collector };
targets.SetAction((r, ct) => Commands.TargetsAsync(Client(r), r.GetValue(jobArgument)!, r.GetValue(collector), r.GetValue(output)!, Console.Out, ct));

var scrapeConfigs = new Command("scrape-configs", "Show the scrape configs the allocator hands to collectors") { optionalJob };
scrapeConfigs.SetAction((r, ct) => Commands.ScrapeConfigsAsync(Client(r), r.GetValue(optionalJob), Console.Out, ct));

var collectors = new Command("collectors", "List collectors with their target counts and when they last polled, and collector ids that match none");
collectors.SetAction((r, ct) => Commands.CollectorsAsync(Client(r), r.GetValue(output)!, Console.Out, ct));

var explainTarget = new Argument<string>("target")
{
    Description = "The target: an address such as 10.0.0.1:8080, or a label matcher set such as '{__address__=\"10.0.0.1:8080\",job=\"node\"}'",
};
var explainJob = new Option<string?>("--job", "-j") { Description = "Only this job" };
var explain = new Command("explain", "Explain why a target is or is not scraped: where it was discovered, the relabel trace, its identity, its collector and the collector's last poll") { explainTarget, explainJob };
explain.SetAction((r, ct) => ExplainCommand.RunAsync(Client(r), r.GetValue(explainTarget)!, r.GetValue(explainJob), r.GetValue(output)!, Console.Out, Console.Error, ct));

var status = new Command("status", "Show readiness detail, discovery sources, warnings and how targets are spread over collectors");
status.SetAction((r, ct) => StatusCommand.RunAsync(Client(r), r.GetValue(output)!, Console.Out, Console.Error, ct));

var root = new RootCommand("qmctl: inspect and troubleshoot a Quartermaster target allocator") { server, output, jobs, targets, scrapeConfigs, collectors, explain, status };
return await root.Parse(args).InvokeAsync();

AllocatorClient Client(ParseResult r) => AllocatorClient.TryParseServer(r.GetValue(server), out var uri)
    ? new(uri)
    : throw new InvalidOperationException("--server was validated at parse time");
