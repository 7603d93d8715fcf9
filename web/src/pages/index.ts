// The page registry: the navigation lists exactly these pages, in this order. Adding a page is
// one file in pages/ and one line here.
import { dynamicsPage } from "./dynamics";
import { linearPage } from "./linear";
import type { Page } from "./page";
import { playgroundPage } from "./playground";
import { racePage } from "./race";
import { runsPage } from "./runs";
import { taylorPage } from "./taylor";

export const pages: Page[] = [linearPage, racePage, dynamicsPage, taylorPage, playgroundPage, runsPage];
