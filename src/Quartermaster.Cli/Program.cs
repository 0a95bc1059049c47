using System.CommandLine;
using Quartermaster.Cli;
using Quartermaster.Cli.Check;
using Quartermaster.Cli.Kube;

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
    Description = "Output format: table or json",
    DefaultValueFactory = _ => "table",
    Recursive = true,
};
output.AcceptOnlyFromAmong("table", "json");
var kube = new KubeOptions();

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

var root = new RootCommand("qmctl: inspect and troubleshoot a Quartermaster target allocator") { server, output, jobs, targets, scrapeConfigs, collectors };
kube.AddTo(root);
root.Add(CheckCommands.Create(output, r => r.GetResult(server) is { Implicit: false } || r.GetValue(kube.Service) is not null ? Client(r) : null));
return await root.Parse(args).InvokeAsync();

AllocatorClient Client(ParseResult r) => kube.TryCreate(r, r.GetResult(server) is { Implicit: false }) ?? (AllocatorClient.TryParseServer(r.GetValue(server), out var uri)
    ? new(uri)
    : throw new InvalidOperationException("--server was validated at parse time"));
