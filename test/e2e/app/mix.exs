# A minimal release used only by the end-to-end test: no Hex dependencies, so it builds offline.
defmodule Shop.MixProject do
  use Mix.Project

  def project do
    [
      app: :shop,
      version: "0.1.0",
      elixir: "~> 1.14",
      start_permanent: Mix.env() == :prod,
      deps: [],
      # The companion is compiled from the file users copy, not from a private copy.
      elixirc_paths: ["lib", Path.expand("../../../examples/elixir", __DIR__)],
      releases: [
        shop: [include_executables_for: [:unix], strip_beams: false]
      ]
    ]
  end

  def application do
    [extra_applications: [:logger], mod: {Shop.Application, []}]
  end
end
